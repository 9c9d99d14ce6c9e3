/**
 * Everything on a topic, read from its beginning up to its end as it is now: what a test counts
 * when it must know what reached the broker (not only what a program printed).
 *
 * @module
 */
import { createKafka } from "../../shared/kafka/client.ts";
import { type Event, type EventBody, parseEvent } from "../../shared/events.ts";
import { waitFor } from "./programs.ts";

/** The events of `types` on `topic`, from its beginning to its current end. */
export async function readTopic<T extends EventBody["type"]>(
  brokers: string,
  topic: string,
  types: readonly T[],
): Promise<Event<Extract<EventBody, { type: T }>>[]> {
  const kafka = createKafka({ brokers, clientId: "ev-test-reader", silent: true, retries: 5 });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const p of await admin.fetchTopicOffsets(topic)) ends.set(p.partition, BigInt(p.high));
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId: `ev-test-reader-${crypto.randomUUID()}` });
  const found: Event<Extract<EventBody, { type: T }>>[] = [];
  const reached = new Map<number, bigint>();
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        reached.set(partition, BigInt(message.offset) + 1n);
        const e = parseEvent(message.value, types);
        if (typeof e !== "string") found.push(e);
        await Promise.resolve();
      },
    });
    await waitFor(
      `the end of ${topic}`,
      () => [...ends].every(([p, end]) => end === 0n || (reached.get(p) ?? 0n) >= end),
      60_000,
    );
  } finally {
    await consumer.disconnect();
  }
  return found;
}
