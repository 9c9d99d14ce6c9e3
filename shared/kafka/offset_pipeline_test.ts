import assert from "node:assert/strict";
import { OffsetPipeline } from "./offset_pipeline.ts";

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("an offset moves only over records done in a row from the oldest", async () => {
  const p = new OffsetPipeline();
  const [a, b, c] = [deferred(), deferred(), deferred()];
  p.track("t", 0, "10", a.promise);
  p.track("t", 0, "11", b.promise);
  p.track("t", 0, "12", c.promise);
  b.resolve();
  await tick();
  assert.deepEqual(p.takeCommits(), [], "10 is not done: nothing moves");
  a.resolve();
  await tick();
  assert.deepEqual(p.takeCommits(), [{ topic: "t", partition: 0, offset: "12" }]);
  assert.equal(p.pending, 1);
  c.resolve();
  await tick();
  assert.deepEqual(p.takeCommits(), [{ topic: "t", partition: 0, offset: "13" }]);
  assert.deepEqual(p.takeCommits(), []);
});

Deno.test("a failed record holds its partition's offset, and is told", async () => {
  const failures: unknown[] = [];
  const p = new OffsetPipeline((e) => failures.push(e));
  const failing = deferred();
  p.track("t", 0, "1", Promise.resolve());
  p.track("t", 0, "2", failing.promise);
  p.track("t", 0, "3", Promise.resolve());
  failing.reject(new Error("broker away"));
  await tick();
  assert.deepEqual(p.takeCommits(), [{ topic: "t", partition: 0, offset: "2" }]);
  assert.deepEqual(p.takeCommits(), [], "2 is read again: nothing past it moves");
  assert.equal(failures.length, 1);
  assert.equal(p.pending, 0);
});

Deno.test("partitions move on their own", async () => {
  const p = new OffsetPipeline();
  const slow = deferred();
  p.track("t", 0, "5", slow.promise);
  p.track("t", 1, "7", Promise.resolve());
  await tick();
  assert.deepEqual(p.takeCommits(), [{ topic: "t", partition: 1, offset: "8" }]);
});

Deno.test("room waits while the records in progress reach the limit", async () => {
  const p = new OffsetPipeline();
  const works = [deferred(), deferred()];
  works.forEach((w, i) => p.track("t", 0, String(i), w.promise));
  let roomy = false;
  const room = p.room(2).then(() => roomy = true);
  await tick();
  assert.equal(roomy, false);
  works[1].resolve();
  await room;
  assert.equal(roomy, true);
});

Deno.test("after a reset nothing is committed for the records before it", async () => {
  const p = new OffsetPipeline();
  const old = deferred();
  p.track("t", 0, "3", old.promise);
  p.reset();
  assert.equal(p.pending, 0);
  await p.drained();
  p.track("t", 0, "1", Promise.resolve()); // read again from the committed offset
  old.resolve();
  await tick();
  assert.deepEqual(p.takeCommits(), [{ topic: "t", partition: 0, offset: "2" }]);
  assert.equal(p.pending, 0);
});
