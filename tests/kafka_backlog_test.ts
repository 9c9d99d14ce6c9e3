/**
 * A backlog reaches the broker whole (issue seen at 5,000 CPs: thousands of records queued
 * while a request was out went as one request, the broker refused one partition's 1 MB+, kafkajs
 * rolled back the sequence numbers of every partition of it, and each later record to those
 * partitions was refused for as long as Central ran). Against the real broker: a 2 MB backlog
 * to one partition is all published; and a producer whose sequences went wrong is renewed.
 */
import assert from "node:assert/strict";
import { KAFKA, requireKafka } from "./support/network.ts";
import { Batcher } from "../shared/kafka/batcher.ts";
import { createKafka, createProducer, ensureTopics } from "../shared/kafka/client.ts";

const flow = { sanitizeOps: false, sanitizeResources: false };

async function ends(brokers: string, topic: string): Promise<number> {
  const admin = createKafka({ brokers, clientId: "ev-test", silent: true }).admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

Deno.test("a backlog over the broker's 1 MB and a producer gone wrong", flow, async (t) => {
  await requireKafka();
  const kafka = createKafka({ brokers: KAFKA, clientId: "ev-test", silent: true });
  const id = crypto.randomUUID().slice(0, 8);
  const [big, small] = [`ev-test-backlog-${id}`, `ev-test-side-${id}`];
  await ensureTopics(kafka, [{ topic: big, numPartitions: 1 }, { topic: small, numPartitions: 1 }]);
  const value = "x".repeat(700);
  const backlog = (batcher: Batcher, n: number) =>
    Array.from(
      { length: n },
      () => batcher.sendEvent(big, "k", { v: 1, id, type: "x", value } as never),
    );

  await t.step("2 MB queued at once: every record published", async () => {
    const producer = createProducer(kafka);
    await producer.connect();
    const batcher = new Batcher(producer, 0);
    try {
      await Promise.all(backlog(batcher, 3_000));
      assert.equal(await ends(KAFKA, big), 3_000);
    } finally {
      await batcher.close();
    }
  });

  await t.step("sequences gone wrong: the next records go out by a new producer", async () => {
    const producer = createProducer(kafka);
    await producer.connect();
    // no cut: the request that poisons kafkajs's sequences, as before
    const batcher = new Batcher(producer, 0, {
      maxRequestBytes: Infinity,
      renew: () => createProducer(kafka),
    });
    try {
      const side = (n: number) =>
        Array.from(
          { length: n },
          () => batcher.sendEvent(small, "k", { v: 1, id, type: "x" } as never),
        );
      await Promise.all(side(2));
      const sent = [...side(2), ...backlog(batcher, 3_000)];
      // the broker refuses the backlog's partition; the side topic's two may be taken (the retry)
      await Promise.allSettled(sent);
      const before = await ends(KAFKA, small);
      await Promise.all(side(1));
      assert.equal(await ends(KAFKA, small), before + 1);
      assert.notEqual(batcher.producer, producer);
    } finally {
      await batcher.close();
    }
  });
});
