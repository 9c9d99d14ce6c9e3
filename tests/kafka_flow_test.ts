/**
 * A real flow through the broker at EV_KAFKA (default 127.0.0.1:9092; `deno task kafka` provides
 * one): an idempotent producer and a consumer group exchange keyed JSON messages.
 */
import assert from "node:assert/strict";
import { createKafka, createProducer, ensureTopics, probeBroker } from "../shared/kafka/client.ts";

const brokers = Deno.env.get("EV_KAFKA") || "127.0.0.1:9092";
const KEYS = 12;
const PER_KEY = 60;

Deno.test("kafka flow: keyed JSON messages arrive complete and in order per key", async () => {
  if (!(await probeBroker(brokers, 5000))) {
    throw new Error(`no Kafka broker answers at ${brokers}: run \`deno task kafka\` first`);
  }
  const run = `${Date.now()}-${crypto.randomUUID().slice(0, 8)}`;
  const topic = `test.flow.${run}`;
  const kafka = createKafka({ brokers, clientId: `flow-test-${run}`, retries: 5 });
  assert.deepEqual(await ensureTopics(kafka, [{ topic, numPartitions: 3 }]), [topic]);
  // A second call finds it and creates nothing.
  assert.deepEqual(await ensureTopics(kafka, [{ topic, numPartitions: 3 }]), []);

  const producer = createProducer(kafka);
  const consumer = kafka.consumer({
    groupId: `flow-test-${run}`,
    sessionTimeout: 6000,
    heartbeatInterval: 500,
  });
  try {
    await producer.connect();
    // Keys interleaved within each batch, several batches: order must hold per key.
    for (let round = 0; round < PER_KEY; round += 10) {
      const messages = [];
      for (let seq = round; seq < round + 10; seq++) {
        for (let k = 0; k < KEYS; k++) {
          messages.push({ key: `cp-${k}`, value: JSON.stringify({ key: `cp-${k}`, seq }) });
        }
      }
      await producer.send({ topic, messages });
    }

    const seen = new Map<string, number[]>();
    const partitionOf = new Map<string, number>();
    const problems: string[] = [];
    let received = 0;
    let allIn!: () => void;
    const done = new Promise<void>((resolve) => (allIn = resolve));
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        // Checked after the run: an assertion thrown here would make kafkajs retry the message.
        const key = message.key!.toString();
        const body = JSON.parse(message.value!.toString());
        if (body.key !== key) problems.push(`key ${key} carries ${body.key}`);
        seen.set(key, [...(seen.get(key) ?? []), body.seq]);
        if ((partitionOf.get(key) ?? partition) !== partition) {
          problems.push(`key ${key} in partitions ${partitionOf.get(key)} and ${partition}`);
        }
        partitionOf.set(key, partition);
        if (++received === KEYS * PER_KEY) allIn();
        return Promise.resolve();
      },
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      done,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`only ${received}/${KEYS * PER_KEY} messages within 30 s`)),
          30_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));

    assert.deepEqual(problems, []);
    assert.equal(received, KEYS * PER_KEY);
    const expected = Array.from({ length: PER_KEY }, (_, i) => i);
    for (let k = 0; k < KEYS; k++) assert.deepEqual(seen.get(`cp-${k}`), expected, `cp-${k}`);
    // The default partitioner spread the 12 keys over the 3 partitions.
    assert.ok(new Set(partitionOf.values()).size > 1);
  } finally {
    // Disconnected kafkajs clients leave no timers or sockets behind: the default op and
    // resource sanitizers of `deno test` stay on (checked with kafkajs 2.2.4, Deno 2.9.6).
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    const admin = kafka.admin();
    await admin.connect().then(() => admin.deleteTopics({ topics: [topic] })).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
});
