import assert from "node:assert/strict";
import { TimerWheel } from "./timer_wheel.ts";
import { sleepOn } from "./scheduler.ts";

function wheelAt() {
  let t = 0;
  const wheel = new TimerWheel({ slotMs: 50, slots: 16, now: () => t, drive: false });
  return {
    wheel,
    to(ms: number) {
      t = ms;
      wheel.advance();
    },
  };
}

Deno.test("timer wheel: one-shot timers fire once, in their slot, even beyond one round", () => {
  const { wheel, to } = wheelAt();
  const fired: string[] = [];
  wheel.after(120, () => fired.push("a"));
  wheel.after(2_000, () => fired.push("far")); // 16 slots of 50 ms = 800 ms per round
  const cancel = wheel.after(300, () => fired.push("cancelled"));
  cancel();
  to(100);
  assert.deepEqual(fired, []);
  to(150);
  assert.deepEqual(fired, ["a"]);
  to(1_990);
  assert.deepEqual(fired, ["a"]);
  to(2_000);
  assert.deepEqual(fired, ["a", "far"]);
  assert.equal(wheel.size, 0);
});

Deno.test("timer wheel: periodic timers are staggered over their period and keep it", () => {
  const { wheel, to } = wheelAt();
  const slots: number[][] = [[], [], [], []];
  let now = 0;
  for (let i = 0; i < 4; i++) wheel.every(1_000, () => slots[i].push(now));
  for (now = 50; now <= 3_000; now += 50) to(now);
  const first = slots.map((s) => s[0]);
  assert.equal(new Set(first).size, 4, `all in different slots: ${first}`);
  for (const s of slots) {
    assert.equal(s.length, 3);
    assert.equal(s[1] - s[0], 1_000);
    assert.equal(s[2] - s[1], 1_000);
  }
});

Deno.test("timer wheel: a late wheel catches up without running a periodic timer twice", () => {
  const { wheel, to } = wheelAt();
  let ticks = 0;
  let once = 0;
  wheel.every(1_000, () => ticks++);
  wheel.after(500, () => once++);
  to(5_500); // the process was stopped for 5 s
  assert.equal(ticks, 1);
  assert.equal(once, 1);
  to(6_600);
  assert.equal(ticks, 2);
});

Deno.test("timer wheel: a periodic timer cancelled from its own callback stops", () => {
  const { wheel, to } = wheelAt();
  let n = 0;
  const cancel = wheel.every(100, () => {
    if (++n === 2) cancel();
  });
  for (let t = 50; t <= 1_000; t += 50) to(t);
  assert.equal(n, 2);
  assert.equal(wheel.size, 0);
});

Deno.test("timer wheel: drives itself, and sleeps on it resolve", async () => {
  const wheel = new TimerWheel({ slotMs: 10 });
  try {
    const t0 = performance.now();
    await sleepOn(wheel, 50);
    assert.ok(performance.now() - t0 >= 40);
    const stop = new AbortController();
    const cut = sleepOn(wheel, 10_000, stop.signal);
    stop.abort();
    await cut;
    assert.equal(wheel.size, 0);
  } finally {
    wheel.close();
  }
});
