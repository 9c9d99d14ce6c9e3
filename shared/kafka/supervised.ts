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
import { OffsetPipeline } from "./offset_pipeline.ts";
import { closeInTime } from "./closing.ts";

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
   * `resolveOffset` for what it has done (what it has not is fetched again) — or, with
   * `pipeline`, `track` for each record it started.
   */
  eachBatch?: (payload: EachBatchPayload, track: Track) => Promise<void>;
  /**
   * With `eachBatch` and `commitEveryMs`: the next fetch does not wait for the records' work
   * (`offset_pipeline.ts`); offsets are committed as far as records are done. At most
   * `maxPending` records are in progress (the next batch waits for room).
   */
  pipeline?: { maxPending: number };
  /** Told of every consumer made (to listen to its events). */
  onConsumer?: (consumer: Consumer) => void;
}

/** Tells a pipelined consumer a record's work started; `work` settles when it is done. */
export type Track = (offset: string, work: Promise<unknown>) => void;

/** How often a pipelined consumer waiting for room heartbeats. */
const HEARTBEAT_WHILE_FULL_MS = 1_000;

/** How long a stopping consumer waits for the records in progress before it commits. */
const DRAIN_MS = 5_000;

/** A supervised consumer. */
export interface Supervised {
  stop(): Promise<void>;
}

/** Starts consuming; resolves once the first consumer runs. */
export async function superviseConsumer(o: SupervisedOptions): Promise<Supervised> {
  // next offset of each partition, as far as this process has read: a successor resumes there
  const positions = new Map<number, string>(o.startAt ?? []);
  let current: Consumer | undefined;
  /** The pipelined run of the current consumer: drained and committed before it disconnects. */
  let pipelined: Pipelined | undefined;
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
    if (o.startAt) {
      // positions kept here are where every join starts (the first, a restart's, and that of a
      // member put out of its group while this process was stopped or late: with nothing
      // committed it would start at the end, and skip what was written meanwhile)
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const [partition, offset] of positions) {
          consumer.seek({ topic: topics[0], partition, offset });
        }
      });
    }
    const partitionsConsumedConcurrently = o.partitionsConsumedConcurrently ?? 1;
    const eachBatch = o.eachBatch;
    if (eachBatch && o.pipeline && o.commitEveryMs !== undefined) {
      const onFailed = (e: unknown) => {
        if (stopped || current !== consumer) return;
        log.warn(`a record of ${o.topic} not handled (${errorMessage(e)}): reading it again`);
        restart();
      };
      pipelined = await runPipelined(consumer, eachBatch, onFailed, {
        partitionsConsumedConcurrently,
        maxPending: o.pipeline.maxPending,
        commitEveryMs: o.commitEveryMs,
      });
    } else if (eachBatch) {
      const every = o.commitEveryMs;
      const noTrack: Track = () => {};
      await consumer.run({
        partitionsConsumedConcurrently,
        eachBatchAutoResolve: false,
        ...(every === undefined ? { eachBatch: (payload) => eachBatch(payload, noTrack) } : {
          autoCommit: false,
          autoCommitInterval: every,
          eachBatch: async (payload: EachBatchPayload) => {
            await eachBatch(payload, noTrack);
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
  };

  let restarting = false;
  const restart = async () => {
    if (restarting) return;
    restarting = true;
    try {
      await restartNow();
    } finally {
      restarting = false;
    }
  };
  const restartNow = async () => {
    while (!stopped) {
      await sleep(backoff.next());
      if (stopped) return;
      try {
        await pipelined?.close();
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
      // the work in progress is ours to wait for; only what then waits on the broker is bounded
      await pipelined?.drain();
      await closeInTime(`the consumer of ${o.topic}`, async () => {
        await pipelined?.close();
        await current?.disconnect().catch(() => {});
      });
    },
  };
}

/** A pipelined consumer's run: `drain` waits a while for the work in progress; `close` drains, then commits. */
interface Pipelined {
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** Runs `eachBatch` without the next fetch waiting for its records' work (offset_pipeline.ts). */
async function runPipelined(
  consumer: Consumer,
  eachBatch: NonNullable<SupervisedOptions["eachBatch"]>,
  onFailed: (e: unknown) => void,
  o: { partitionsConsumedConcurrently: number; maxPending: number; commitEveryMs: number },
): Promise<Pipelined> {
  const pipe = new OffsetPipeline(onFailed);
  // partitions handed out again: what is in progress is no longer ours to commit
  consumer.on(consumer.events.REBALANCING, () => pipe.reset());
  consumer.on(consumer.events.GROUP_JOIN, () => pipe.reset());
  let committing = Promise.resolve();
  const commit = () =>
    committing = committing.then(async () => {
      const points = pipe.takeCommits();
      if (points.length === 0) return;
      await consumer.commitOffsets(points).catch((e) =>
        log.debug(`offsets not committed (read again after a hand-over): ${errorMessage(e)}`)
      );
    });
  const timer = setInterval(commit, o.commitEveryMs);
  let closing = false;
  await consumer.run({
    partitionsConsumedConcurrently: o.partitionsConsumedConcurrently,
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async (payload) => {
      // going: what comes now is read again by the next consumer (not started here twice)
      if (closing) return await sleep(100);
      const { topic, partition } = payload.batch;
      let last: string | undefined;
      await eachBatch(payload, (offset, work) => {
        pipe.track(topic, partition, offset, work);
        last = offset;
      });
      // read (the next fetch goes on from here); committed once done
      if (last !== undefined) payload.resolveOffset(last);
      // a full pipeline waits for room, still heartbeating: kafkajs heartbeats only from here,
      // and a member silent for its session timeout is put out of the group (a rebalance, and
      // everything not committed read again: at 5,000 CPs that turned a backlog into a storm)
      const room = pipe.room(o.maxPending);
      let roomy = false;
      room.then(() => roomy = true);
      while (!roomy) {
        await Promise.race([room, sleep(HEARTBEAT_WHILE_FULL_MS)]);
        await payload.heartbeat();
      }
      await payload.heartbeat();
    },
  });
  const drain = async () => {
    closing = true;
    clearInterval(timer);
    await Promise.race([pipe.drained(), sleep(DRAIN_MS)]);
  };
  return {
    drain,
    close: async () => {
      await drain();
      await commit();
    },
  };
}
