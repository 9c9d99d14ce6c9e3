/**
 * Up to when telemetry is known complete: the time of the last fetch that came back while every
 * partition was read to its end. Central judges deadlines and silences against it, never against
 * the wall clock alone, so that its own backlog (a slow loop, a stalled broker, a busy database)
 * never ends a supply.
 *
 * @module
 */
import type { Consumer } from "kafkajs";

/** A fetch older than this means the consumer is not keeping up (or the broker is away). */
const STALE_MS = 2_000;
/** Records of the last fetch may still be in hand: this much is taken off. */
const MARGIN_MS = 500;

/** Follows one consumer's fetches and lags. */
export class TelemetryClock {
  #lastFetch = 0;
  #behind = new Set<number>();
  #at = 0;

  /** Follows a consumer (a new one after a restart too). */
  follow(consumer: Consumer): void {
    consumer.on(consumer.events.FETCH, () => (this.#lastFetch = Date.now()));
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (Number(payload.offsetLag) > 0) this.#behind.add(payload.partition);
      else this.#behind.delete(payload.partition);
    });
  }

  /** Forgets partitions no longer read. */
  keepOnly(partitions: number[]): void {
    const keep = new Set(partitions);
    for (const p of this.#behind) if (!keep.has(p)) this.#behind.delete(p);
  }

  /** Telemetry is complete up to this time (ms since epoch). */
  at(now = Date.now()): number {
    if (this.#behind.size === 0 && now - this.#lastFetch < STALE_MS) {
      this.#at = Math.max(this.#at, this.#lastFetch - MARGIN_MS);
    }
    return this.#at;
  }
}
