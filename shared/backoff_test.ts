import assert from "node:assert/strict";
import { Backoff, tellIfSlow, unlessAborted } from "./backoff.ts";

Deno.test("backoff grows, is capped, and resets", () => {
  const b = new Backoff({ minMs: 100, maxMs: 1000 });
  const delays = Array.from({ length: 8 }, () => b.next());
  assert.ok(delays[0] >= 75 && delays[0] <= 125);
  assert.ok(delays[7] <= 1250 && delays[7] >= 750);
  b.reset();
  assert.ok(b.next() <= 125);
});

Deno.test("unlessAborted: the work's outcome, or undefined at once on an abort", async () => {
  const stop = new AbortController();
  assert.equal(await unlessAborted(Promise.resolve(7), stop.signal), 7);
  await assert.rejects(unlessAborted(Promise.reject(new Error("no")), stop.signal), /no/);
  // a connect that never ends (a broker away), and one that fails after the abort: no wait, no
  // unhandled rejection
  let fail: (e: Error) => void = () => {};
  const pending = unlessAborted(new Promise<number>((_, reject) => (fail = reject)), stop.signal);
  stop.abort();
  assert.equal(await pending, undefined);
  fail(new Error("gone"));
  assert.equal(await unlessAborted(new Promise(() => {}), stop.signal), undefined);
});

Deno.test("tellIfSlow: says so once when the work is slow, not when it is quick", async () => {
  const said: string[] = [];
  assert.equal(await tellIfSlow(Promise.resolve(1), () => said.push("quick"), 50), 1);
  const slow = new Promise((r) => setTimeout(() => r(2), 200));
  assert.equal(await tellIfSlow(slow, () => said.push("slow"), 20), 2);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(said, ["slow"]);
});
