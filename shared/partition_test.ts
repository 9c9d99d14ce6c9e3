import assert from "node:assert/strict";
import { Partitioners } from "kafkajs";
import { murmur2, partitionOf } from "./partition.ts";

// the values of kafkajs's and the Java client's own tests
const KNOWN: Record<string, number> = {
  "0": 971027396,
  "1": -1993445489,
  "128": -326012175,
  "2187": -1508407203,
  "16384": -325739742,
  "78125": -1654490814,
  "279936": 1462227128,
  "10000000": -1830336757,
  "100:48069": 1009543857,
};

Deno.test("murmur2 gives Kafka's values", () => {
  for (const [key, hash] of Object.entries(KNOWN)) assert.equal(murmur2(key), hash, key);
});

Deno.test("partitionOf agrees with the partitioner kafkajs sends with", () => {
  const partitioner = Partitioners.DefaultPartitioner();
  for (const count of [1, 6, 12, 7]) {
    const partitionMetadata = Array.from({ length: count }, (_, i) => ({
      partitionId: i,
      leader: 1,
      partitionErrorCode: 0,
      replicas: [1],
      isr: [1],
    }));
    for (let i = 0; i < 500; i++) {
      const key = `CP-${i}-${"é".repeat(i % 3)}`;
      const expected = partitioner({ topic: "t", partitionMetadata, message: { key, value: "" } });
      assert.equal(partitionOf(key, count), expected, `${key} of ${count}`);
    }
  }
});

Deno.test("partitionOf refuses a bad count", () => {
  assert.throws(() => partitionOf("x", 0), RangeError);
});
