import assert from "node:assert/strict";
import { Backoff } from "./backoff.ts";

Deno.test("backoff grows, is capped, and resets", () => {
  const b = new Backoff({ minMs: 100, maxMs: 1000 });
  const delays = Array.from({ length: 8 }, () => b.next());
  assert.ok(delays[0] >= 75 && delays[0] <= 125);
  assert.ok(delays[7] <= 1250 && delays[7] >= 750);
  b.reset();
  assert.ok(b.next() <= 125);
});
