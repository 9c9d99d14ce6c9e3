/**
 * Records a consumer cannot apply (invalid, or refused by the database) are set aside: logged,
 * counted, published to `<prefix>dead-letter` with the reason and their origin, and committed,
 * never retried forever (BRIEF §1 "Dead letters", §8).
 *
 * @module
 */
import type { Publisher } from "../../shared/kafka/publisher.ts";
import type { Metrics } from "../../shared/metrics.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";

const log = createLogger("central");

/** Where a record came from. */
export interface Origin {
  topic: string;
  partition: number;
  offset: string;
}

/** Text of a record's value, cut to a size a dead letter may carry. */
const MAX_VALUE = 64 * 1024;

/** Sets records aside. */
export class DeadLetters {
  readonly #count;

  constructor(
    private readonly publisher: Publisher,
    private readonly by: string,
    metrics: Metrics,
  ) {
    this.#count = metrics.counter(
      "ev_dead_letters_total",
      "records set aside (invalid or refused), by topic",
    );
  }

  /** Sets one record aside; resolves once it is published (or could not be: then logged). */
  async setAside(origin: Origin, value: Uint8Array | null, reason: string): Promise<void> {
    this.#count.inc({ topic: origin.topic });
    log.warn(
      `set aside a record of ${origin.topic} [${origin.partition}@${origin.offset}]: ${reason}`,
    );
    const text = value ? new TextDecoder().decode(value.subarray(0, MAX_VALUE)) : "";
    await this.publisher.publish({
      type: "dead.letter",
      reason: reason.slice(0, 500) || "unreadable",
      ...origin,
      value: text,
      by: this.by,
    }).catch((e) => log.error(`dead letter not published: ${errorMessage(e)}`));
  }
}
