import assert from "node:assert/strict";
import type { Message } from "kafkajs";
import { splitBySize } from "./batcher.ts";

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
