import assert from "node:assert/strict";
import type { Producer, ProducerBatch } from "kafkajs";
import { Publisher } from "./publisher.ts";
import { topicNames } from "../topics.ts";

/** A producer whose requests wait until `release` (as a broker slow to take a large one). */
function slowProducer() {
  const sent: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => release = r);
  const producer = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    sendBatch: async (b: ProducerBatch) => {
      await released;
      for (const t of b.topicMessages ?? []) {
        for (const m of t.messages) sent.push(JSON.parse(String(m.value)).type);
      }
      return [];
    },
  } as unknown as Producer;
  return { producer, sent, release };
}

Deno.test("an answer a driver waits for does not queue behind the network's relays", async () => {
  const normal = slowProducer();
  const urgent = slowProducer();
  urgent.release();
  const publisher = new Publisher(normal.producer, topicNames("t."), 0, {
    urgent: { producer: urgent.producer, types: ["authorized", "denied"] },
  });
  const relay = publisher.publish({
    type: "progress",
    cpId: "CP1",
    sessionId: "s0",
    driverId: "D0",
    kw: 7,
    kwh: 1,
    eur: 0.35,
  });
  await publisher.publish({
    type: "denied",
    requestId: "r1",
    cpId: "CP2",
    driverId: "D1",
    reason: "CP busy",
  });
  assert.deepEqual(urgent.sent, ["denied"]);
  assert.deepEqual(normal.sent, [], "the relay is still on its way");
  normal.release();
  await relay;
  assert.deepEqual(normal.sent, ["progress"]);
  await publisher.close();
});
