/**
 * A consumer that does not stay down: kafkajs restarts a consumer by itself after retriable
 * errors, but gives up for good on others (e.g. "failed to find group coordinator" while a
 * restarted broker is still loading). Then a new consumer takes over, in the same group, from
 * where the last one was (the group's committed offsets, or positions kept here).
 *
 * @module
 */
import type {
  Consumer,
  ConsumerConfig,
  EachBatchPayload,
  EachMessagePayload,
  Kafka,
} from "kafkajs";
import { Backoff, sleep } from "../backoff.ts";
import { createLogger, errorMessage } from "../log.ts";

const log = createLogger("kafka");

/** Options of {@link superviseConsumer}. */
export interface SupervisedOptions {
  kafka: Kafka;
  /** The topic (or topics) to subscribe to. */
  topic: string | string[];
  config: ConsumerConfig;
  /** A new group (no committed offsets) starts at the beginning. @default false */
  fromBeginning?: boolean;
  /** Partitions consumed side by side. @default 1 */
  partitionsConsumedConcurrently?: number;
  /**
   * With `eachBatch`: commit the offsets it resolved at most this often, instead of after every
   * batch (kafkajs then awaits one commit per partition's batch before its next fetch). A crash
   * or a hand-over then reads again up to this much, already handled. @default after every batch
   */
  commitEveryMs?: number;
  /**
   * Where to start, by partition (next offset to read). With it, positions are kept here and a
   * successor resumes where this process was; without it, the group's committed offsets rule.
   */
  startAt?: Map<number, string>;
  /** Called for every record; its offset is committed once it resolves. */
  eachMessage?: (payload: EachMessagePayload) => Promise<void>;
  /**
   * Or called for every batch (of one partition). Offsets are not resolved for it: it calls
   * `resolveOffset` for what it has done (what it has not is fetched again).
   */
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  /** Told of every consumer made (to listen to its events). */
  onConsumer?: (consumer: Consumer) => void;
}

/** A supervised consumer. */
export interface Supervised {
  stop(): Promise<void>;
}

/** Starts consuming; resolves once the first consumer runs. */
export async function superviseConsumer(o: SupervisedOptions): Promise<Supervised> {
  // next offset of each partition, as far as this process has read: a successor resumes there
  const positions = new Map<number, string>(o.startAt ?? []);
  let current: Consumer | undefined;
  let stopped = false;
  const backoff = new Backoff({ minMs: 1_000, maxMs: 10_000 });

  const start = async (): Promise<void> => {
    const consumer = o.kafka.consumer(o.config);
    current = consumer;
    o.onConsumer?.(consumer);
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || stopped || current !== consumer) return;
      log.warn(`consumer of ${o.topic} stopped (${errorMessage(payload.error)}): starting another`);
      const cause = payload.error as { cause?: Error; originalError?: Error };
      log.debug(`${(cause.cause ?? cause.originalError)?.stack ?? payload.error.stack}`);
      restart();
    });
    await consumer.connect();
    const topics = Array.isArray(o.topic) ? o.topic : [o.topic];
    await consumer.subscribe({ topics, fromBeginning: o.fromBeginning ?? false });
    const partitionsConsumedConcurrently = o.partitionsConsumedConcurrently ?? 1;
    const eachBatch = o.eachBatch;
    if (eachBatch) {
      const every = o.commitEveryMs;
      await consumer.run({
        partitionsConsumedConcurrently,
        eachBatchAutoResolve: false,
        ...(every === undefined ? { eachBatch } : {
          autoCommit: false,
          autoCommitInterval: every,
          eachBatch: async (payload: EachBatchPayload) => {
            await eachBatch(payload);
            await payload.commitOffsetsIfNecessary();
          },
        }),
      });
    } else {
      await consumer.run({
        partitionsConsumedConcurrently,
        // positions kept here are where a restart starts: no commit round trip between fetches
        ...(o.startAt ? { autoCommit: false } : {}),
        eachMessage: async (payload) => {
          await o.eachMessage?.(payload);
          if (o.startAt) {
            positions.set(payload.partition, String(BigInt(payload.message.offset) + 1n));
          }
        },
      });
    }
    for (const [partition, offset] of positions) {
      consumer.seek({ topic: topics[0], partition, offset });
    }
  };

  const restart = async () => {
    while (!stopped) {
      await sleep(backoff.next());
      if (stopped) return;
      try {
        await current?.disconnect().catch(() => {});
        await start();
        backoff.reset();
        return;
      } catch (e) {
        log.warn(`consumer of ${o.topic} not started yet: ${errorMessage(e)}`);
      }
    }
  };

  await start();
  return {
    stop: async () => {
      stopped = true;
      await current?.disconnect().catch(() => {});
    },
  };
}
