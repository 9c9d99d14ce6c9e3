/**
 * A broker of our own (startBroker, free ports, a temporary data folder) keeps what was published
 * across a restart, also when its controller port changes, and a producer connected before the
 * restart reconnects by itself. Needs Java 17+ (and Maven the first time); about 15 s.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startBroker } from "../shared/kafka/broker.ts";
import { freePort } from "../shared/kafka/broker_net.ts";
import { createKafka, createProducer, ensureTopics } from "../shared/kafka/client.ts";

Deno.test({
  name: "kafka broker: messages survive a restart on the same data folder",
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "ev-kafka-test-" });
    const listen = `127.0.0.1:${freePort()}`;
    const topic = "test.restart";
    let broker = await startBroker({ listen, dataDir });
    const kafka = createKafka({ brokers: broker.bootstrap, clientId: "restart-test" });
    const producer = createProducer(kafka);
    const consumer = kafka.consumer({ groupId: "restart-test", sessionTimeout: 6000 });
    try {
      await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);
      await producer.connect();
      const before = Array.from(
        { length: 30 },
        (_, i) => ({ key: `k${i % 5}`, value: `before-${i}` }),
      );
      await producer.send({ topic, messages: before });

      await broker.stop();
      // The next start must cope with another controller port as well.
      await Deno.writeTextFile(join(dataDir, "controller.port"), `${freePort()}\n`);
      broker = await startBroker({ listen, dataDir });

      // The producer connected before the restart sends again without being told anything.
      await producer.send({ topic, messages: [{ key: "k0", value: "after-0" }] });

      const values: string[] = [];
      let allIn!: () => void;
      const done = new Promise<void>((resolve) => (allIn = resolve));
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          values.push(message.value!.toString());
          if (values.length === before.length + 1) allIn();
          return Promise.resolve();
        },
      });
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        done,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`got ${values.length} messages`)), 30_000);
        }),
      ]).finally(() => clearTimeout(timer));
      assert.deepEqual(
        values.filter((v) => v.startsWith("before-")).sort(),
        before.map((m) => m.value).sort(),
      );
      assert.ok(values.includes("after-0"));
    } finally {
      await consumer.disconnect().catch(() => {});
      await producer.disconnect().catch(() => {});
      await broker.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
