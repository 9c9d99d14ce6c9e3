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
import { superviseConsumer } from "./supervised.ts";

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
  const startAt = new Map(offsets.map((p) => {
    const high = Number(p.high);
    const low = Number(p.low);
    return [p.partition, String(o.from === "last" ? Math.max(low, high - 1) : high)] as const;
  }));
  const consumer = await superviseConsumer({
    kafka: o.kafka,
    topic: o.topic,
    config: {
      groupId: `${o.groupPrefix}.${crypto.randomUUID().slice(0, 8)}`,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
    },
    startAt,
    eachMessage: async ({ message, partition }) => {
      try {
        await o.onMessage(message, partition);
      } catch (e) {
        log.error(`handling a record of ${o.topic}: ${errorMessage(e)}`);
      }
    },
  });
  return {
    stop: () => consumer.stop(),
  };
}
