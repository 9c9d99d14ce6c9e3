import assert from "node:assert/strict";
import type { Message, Producer } from "kafkajs";
import { Batcher, splitBySize } from "./batcher.ts";

const record = (bytes: number) => ({ message: { key: "k", value: "x".repeat(bytes) } as Message });

Deno.test("a backlog is cut into requests under the size, in order, a big record alone", () => {
  // 100 characters count 367 bytes (UTF-8 at worst, and a record's overhead)
  const batch = [record(100), record(100), record(100), record(5_000), record(100)];
  const requests = splitBySize(batch, 1_000);
  assert.deepEqual(requests.map((r) => r.map((q) => batch.indexOf(q))), [[0, 1], [2], [3], [4]]);
  const loose = splitBySize(batch.slice(0, 3), 10_000);
  assert.deepEqual(loose.length, 1);
  assert.deepEqual(splitBySize([], 1_000), []);
});

/** A producer whose requests the test answers one by one. */
function heldProducer() {
  const requests: { count: number; answer: () => void }[] = [];
  const producer = {
    sendBatch({ topicMessages }: { topicMessages: { messages: unknown[] }[] }) {
      const count = topicMessages.reduce((n, t) => n + t.messages.length, 0);
      return new Promise<void>((answer) => requests.push({ count, answer }));
    },
  } as unknown as Producer;
  return { producer, requests };
}

Deno.test("records queued while a request is out go together in the next one, in order", async () => {
  const { producer, requests } = heldProducer();
  const batcher = new Batcher(producer, 0);
  const body = { type: "driver.hello", driverId: "D1" } as const;
  const first = batcher.send("t", "k", body);
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(requests.map((r) => r.count), [1], "a lone record goes out at once");
  const later: Promise<void>[] = [];
  for (let i = 0; i < 3; i++) {
    later.push(batcher.send("t", "k", body));
    await new Promise((r) => setTimeout(r, 5)); // each in a turn of its own
  }
  assert.equal(requests.length, 1, "nothing more goes out while the broker has not answered");
  requests[0].answer();
  await first;
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(requests.map((r) => r.count), [1, 3], "the three went as one request");
  requests[1].answer();
  await Promise.all(later);
});
