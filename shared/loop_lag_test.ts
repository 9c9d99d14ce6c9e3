import assert from "node:assert/strict";
import { LoopLag } from "./loop_lag.ts";
import type { Scheduler } from "./scheduler.ts";

/** A clock and a scheduler that move only when told. */
function fakeTime() {
  let t = 0;
  const queue: { at: number; fn: () => void }[] = [];
  const scheduler: Scheduler = {
    after(ms, fn) {
      const entry = { at: t + ms, fn };
      queue.push(entry);
      return () => {
        const i = queue.indexOf(entry);
        if (i >= 0) queue.splice(i, 1);
      };
    },
    every() {
      throw new Error("not used");
    },
  };
  return {
    now: () => t,
    scheduler,
    /** Moves the clock to `to`, running due timers in order (the loop on time). */
    run(to: number, lag?: LoopLag) {
      while (true) {
        queue.sort((a, b) => a.at - b.at);
        const next = queue[0];
        const sample = lag ? Math.floor(t / 100) * 100 + 100 : Infinity;
        const at = Math.min(next?.at ?? Infinity, sample);
        if (at > to) break;
        t = Math.max(t, at); // what fell due while the loop was blocked runs now
        if (at === sample) lag!.observe(t);
        else queue.shift()!.fn();
      }
      t = to;
    },
    /** The loop is blocked until `to`: nothing runs, then what fell due runs at once. */
    block(to: number) {
      t = to;
    },
  };
}

Deno.test("loop lag: a loop on time is never late", () => {
  const time = fakeTime();
  const lag = new LoopLag({ sample: false, now: time.now });
  for (let t = 100; t <= 2_000; t += 100) lag.observe(t + 5); // jitter only
  time.block(2_050);
  assert.equal(lag.lateMs(0), 0);
  assert.equal(lag.onTimeMs(500), 1_550);
  assert.equal(lag.wasLate(0), false);
  assert.equal(lag.describe(), "");
});

Deno.test("loop lag: a blocked loop is late for as long as it was blocked", () => {
  const time = fakeTime();
  const lag = new LoopLag({ sample: false, now: time.now, toleranceMs: 20 });
  for (let t = 100; t <= 1_000; t += 100) lag.observe(t);
  lag.observe(6_000); // blocked from 1 000 to ~5 900
  time.block(6_000);
  const late = lag.lateMs(0);
  assert.ok(late > 4_800 && late <= 4_900, `late ${late}`);
  assert.equal(lag.lateMs(0, 1_000), 0, "on time before the block");
  assert.ok(lag.onTimeMs(0) < 1_200);
  assert.ok(lag.wasLate(5_000));
  assert.ok(lag.figures().maxMs >= 4_800);
  assert.match(lag.describe(), /event loop \d+ ms late/);
});

Deno.test("loop lag: a loop behind at every turn is late all along, not on time between", () => {
  const time = fakeTime();
  const lag = new LoopLag({ sample: false, now: time.now, toleranceMs: 20 });
  lag.observe(100);
  // more work than it can do: each turn 300 ms after the last, for 30 s
  for (let t = 400; t <= 30_100; t += 300) lag.observe(t);
  time.block(30_100);
  // only the first late turn had an on-time start (120 ms); it was 1.2 s before (0.4 of each turn)
  assert.ok(lag.onTimeMs(100) <= 300, `on time ${lag.onTimeMs(100)} ms of 30 s`);
  // once a turn is on time again, time counts again
  for (let t = 30_200; t <= 32_100; t += 100) lag.observe(t);
  time.block(32_100);
  assert.ok(lag.onTimeMs(30_100) >= 1_800, `on time ${lag.onTimeMs(30_100)} ms of 2 s after`);
});

Deno.test("loop lag: a sampler that has not run yet counts as late now", () => {
  const time = fakeTime();
  const lag = new LoopLag({ sample: false, now: time.now, toleranceMs: 20 });
  lag.observe(100);
  time.block(3_100); // still blocked: the sampler is 3 s overdue
  const late = lag.lateMs(100);
  assert.ok(late > 2_800 && late <= 2_900, `late ${late}`);
  assert.ok(lag.figures().nowMs >= 2_900);
});

Deno.test("loop lag: waitOnTime does not count the time the loop was late", async () => {
  const time = fakeTime();
  const lag = new LoopLag({ sample: false, now: time.now, scheduler: time.scheduler });
  lag.observe(0);
  let done: boolean | undefined;
  const waiting = lag.waitOnTime(800).then((v) => (done = v));
  time.run(200, lag);
  time.block(5_200); // stopped for 5 s in the middle of the wait
  time.run(5_300, lag); // the deadline falls due, late: not on time, so it waits on
  await Promise.resolve();
  assert.equal(done, undefined, "late time is not waited time");
  // waited on time: ~300 ms before the block, so ~500 ms after it
  time.run(5_650, lag);
  await Promise.resolve();
  assert.equal(done, undefined);
  time.run(5_900, lag);
  await waiting;
  assert.equal(done, true);
});

Deno.test("loop lag: waitOnTime on a loop on time takes the time asked", async () => {
  const time = fakeTime();
  const lag = new LoopLag({ sample: false, now: time.now, scheduler: time.scheduler });
  let done: boolean | undefined;
  const waiting = lag.waitOnTime(800).then((v) => (done = v));
  time.run(799, lag);
  await Promise.resolve();
  assert.equal(done, undefined);
  time.run(800, lag);
  await waiting;
  assert.equal(done, true);
  const aborted = new AbortController();
  const cut = lag.waitOnTime(800, aborted.signal);
  aborted.abort();
  assert.equal(await cut, false);
});

Deno.test("loop lag: the real sampler sees a busy loop", async () => {
  const lag = new LoopLag({ sampleMs: 20 });
  try {
    await new Promise((r) => setTimeout(r, 100));
    const from = performance.now();
    const until = from + 300;
    while (performance.now() < until) { /* busy */ }
    await new Promise((r) => setTimeout(r, 50));
    const late = lag.lateMs(from);
    assert.ok(late >= 200, `a 300 ms busy loop read as ${late} ms late`);
    assert.ok(lag.figures().maxMs >= 250);
  } finally {
    lag.close();
  }
});

Deno.test("loop lag: an I/O echo that waits shows lateness the timer does not", () => {
  const time = fakeTime();
  const lag = new LoopLag({ sample: false, now: time.now, toleranceMs: 20 });
  for (let t = 100; t <= 2_000; t += 100) lag.observe(t); // timers on time…
  lag.observeEcho(1_000, 1_600); // …but a byte took 600 ms to be read back
  lag.observeEcho(1_500, 1_900); // overlapping: not counted twice
  time.block(2_000);
  const late = lag.lateMs(0);
  assert.ok(late > 850 && late <= 880, `late ${late}`);
  assert.equal(lag.figures().maxMs, 600);
});

Deno.test("loop lag: the real echo runs, and costs nothing when the loop is on time", async () => {
  const lag = new LoopLag({ sampleMs: 20, io: true });
  try {
    await new Promise((r) => setTimeout(r, 300));
    const f = lag.figures();
    assert.ok(f.maxMs < 200, `on time: ${JSON.stringify(f)}`);
  } finally {
    lag.close();
  }
});
