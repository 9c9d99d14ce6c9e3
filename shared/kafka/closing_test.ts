import assert from "node:assert/strict";
import { closeInTime } from "./closing.ts";

const never = () => new Promise<void>(() => {});

Deno.test("a close that ends (or fails) is waited for", async () => {
  assert.equal(await closeInTime("quick", () => Promise.resolve()), true);
  assert.equal(await closeInTime("failing", () => Promise.reject(new Error("gone"))), true);
});

Deno.test("a close the broker never answers is given up, and the next one barely waits", async () => {
  assert.equal(await closeInTime("hanging", never, 200), false);
  const start = Date.now();
  // without the rule this waits its full minute
  assert.equal(await closeInTime("hanging too", never, 60_000), false);
  assert.ok(Date.now() - start < 30_000);
  // a close that ends is still waited for
  assert.equal(await closeInTime("quick", () => Promise.resolve(), 60_000), true);
});
