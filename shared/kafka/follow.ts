/**
 * Following a topic from now on (drivers, Engines): a consumer in a group of its own that starts
 * exactly at the end of each partition as it was *before* the caller goes on, so that no answer
 * to a request sent afterwards can be missed. With `from: "last"`, it starts at the last record
 * of each partition instead (the latest network view).
 *
 * @module
 */
import type { Kafka, KafkaMessage } from "kafkajs";
import { createLogger, errorMessage } from "../log.ts";

const log = createLogger("kafka");

/** Options of {@link followTopic}. */
export interface FollowOptions {
  kafka: Kafka;
  topic: string;
  /** The consumer group is `<groupPrefix>.<random>`: one per process. */
  groupPrefix: string;
  /** Where to start. @default "now" */
  from?: "now" | "last";
  /** Called for every record, in order per partition. Errors are logged, never retried. */
  onMessage: (message: KafkaMessage, partition: number) => void | Promise<void>;
}

/** A running follower. */
export interface Follower {
  stop(): Promise<void>;
}

/**
 * Starts following `topic`. Resolves once the start positions are fixed: a record written after
 * that is seen.
 */
export async function followTopic(o: FollowOptions): Promise<Follower> {
  const admin = o.kafka.admin();
  let offsets;
  try {
    await admin.connect();
    offsets = await admin.fetchTopicOffsets(o.topic);
  } finally {
    await admin.disconnect().catch(() => {});
  }
  const consumer = o.kafka.consumer({
    groupId: `${o.groupPrefix}.${crypto.randomUUID().slice(0, 8)}`,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 500,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: o.topic, fromBeginning: false });
  await consumer.run({
    // positions are committed (in this process's own group) so that a rejoin after a broker
    // restart resumes where it was instead of jumping to the end
    autoCommit: true,
    eachMessage: async ({ message, partition }) => {
      try {
        await o.onMessage(message, partition);
      } catch (e) {
        log.error(`handling a record of ${o.topic}: ${errorMessage(e)}`);
      }
    },
  });
  for (const p of offsets) {
    const high = Number(p.high);
    const low = Number(p.low);
    const start = o.from === "last" ? Math.max(low, high - 1) : high;
    consumer.seek({ topic: o.topic, partition: p.partition, offset: String(start) });
  }
  return {
    stop: async () => {
      await consumer.disconnect().catch(() => {});
    },
  };
}
