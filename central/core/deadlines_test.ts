import assert from "node:assert/strict";
import { commands, ME, notices, only, World } from "./testing.ts";

Deno.test("a reservation not used in time is released: no ticket, driver and Engine told", () => {
  const w = new World({ reservationMs: 60_000 });
  w.cp("CP1");
  const id = w.reserve("D1", "CP1");
  w.advance(59_000);
  assert.equal(only(w.tick(), "storeExpiry").length, 0);
  assert.equal(w.stateOf("CP1"), "reserved");
  w.advance(1_000);
  const effects = w.tick();
  assert.equal(only(effects, "storeExpiry")[0].sessionId, id);
  assert.equal(commands(effects, "supply.cancel")[0].sessionId, id);
  const [expired] = notices(effects, "expired");
  assert.equal(expired.driverId, "D1");
  assert.match(expired.reason, /not plugged in within 60 s/);
  assert.equal(only(effects, "storeEnd").length, 0);
  assert.equal(w.stateOf("CP1"), "available");
});

Deno.test("a reservation is not released while telemetry is behind (a plug-in may be in the backlog)", () => {
  const w = new World({ reservationMs: 10_000 });
  w.cp("CP1");
  const id = w.reserve("D1", "CP1");
  const before = w.now;
  w.advance(30_000);
  assert.deepEqual(only(w.tick(before + 5_000), "storeExpiry"), []);
  w.feed({ type: "started", cpId: "CP1", sessionId: id, driverId: "D1" });
  assert.equal(w.stateOf("CP1"), "charging");
});

Deno.test("a reservation's deadline holds whatever its length (no timer's range)", () => {
  const w = new World({ reservationMs: 30 * 24 * 3600_000 });
  w.cp("CP1");
  w.reserve("D1", "CP1");
  w.advance(2 ** 31 + 1_000_000); // past a timer's range, short of the deadline
  w.tick();
  assert.equal(w.stateOf("CP1"), "reserved");
});

Deno.test("a fault mid-supply: the Engine gets the end grace, then Central ends it with a partial ticket", () => {
  const w = new World({ endGraceMs: 3_000 });
  w.enroll("CP1");
  const link = w.link("CP1");
  const id = w.charge("D1", "CP1");
  w.telemetry("CP1", id, "D1", 0.5);
  w.feed({ type: "linkHealth", cpId: "CP1", holder: ME, linkId: link, engineOk: false });
  assert.equal(w.stateOf("CP1"), "faulted");
  w.advance(2_000);
  assert.deepEqual(only(w.tick(), "storeEnd"), []);
  w.advance(1_000);
  const [store] = only(w.tick(), "storeEnd");
  assert.equal(store.ticket.sessionId, id);
  assert.equal(store.ticket.partial, true);
  assert.equal(store.ticket.kwh, 0.5);
  assert.equal(store.ticket.reason, "CP faulted");
  // the Engine's own report, later, is checked against the stored session (not stored twice)
  const late = w.feed({
    type: "ended",
    report: { ...store.ticket, reason: "fault" },
  });
  assert.equal(only(late, "storeEnd").length, 0);
  assert.equal(only(late, "loadSession").length, 1);
});

Deno.test("the Engine's report within the grace ends the supply with its figures", () => {
  const w = new World();
  w.enroll("CP1");
  const link = w.link("CP1");
  const id = w.charge("D1", "CP1");
  w.feed({ type: "linkHealth", cpId: "CP1", holder: ME, linkId: link, engineOk: false });
  w.advance(500);
  const effects = w.feed({
    type: "ended",
    report: {
      sessionId: id,
      cpId: "CP1",
      driverId: "D1",
      start: new Date(w.now).toISOString(),
      end: new Date(w.now).toISOString(),
      kwh: 0.8,
      eur: 0.28,
      partial: true,
      reason: "fault",
    },
  });
  assert.equal(only(effects, "storeEnd")[0].ticket.kwh, 0.8);
  w.advance(10_000);
  assert.deepEqual(only(w.tick(), "storeEnd"), []);
});

Deno.test("the grace is judged against telemetry read, not the clock: a backlog ends nothing", () => {
  const w = new World({ endGraceMs: 3_000 });
  w.enroll("CP1");
  const link = w.link("CP1");
  w.charge("D1", "CP1");
  w.feed({ type: "linkHealth", cpId: "CP1", holder: ME, linkId: link, engineOk: false });
  const lost = w.now;
  w.advance(30_000);
  assert.deepEqual(only(w.tick(lost + 1_000), "storeEnd"), []);
  assert.equal(only(w.tick(lost + 3_000), "storeEnd").length, 1);
});

Deno.test("a supply whose telemetry stopped ends after the silence, from its last figures", () => {
  const w = new World({ telemetrySilenceMs: 15_000 });
  w.cp("CP1");
  const id = w.charge("D1", "CP1");
  w.telemetry("CP1", id, "D1", 1.2);
  w.advance(14_000);
  assert.deepEqual(only(w.tick(), "storeEnd"), []);
  // Central itself behind on telemetry: no verdict
  w.advance(60_000);
  assert.deepEqual(only(w.tick(w.now - 65_000), "storeEnd"), []);
  const [store] = only(w.tick(), "storeEnd");
  assert.equal(store.ticket.kwh, 1.2);
  assert.equal(store.ticket.partial, true);
  assert.match(store.ticket.reason, /no telemetry/);
  assert.equal(w.stateOf("CP1"), "available");
});

Deno.test("a reservation's release is one path: it does not also end the supply", () => {
  const w = new World({ reservationMs: 1_000 });
  w.cp("CP1");
  w.reserve("D1", "CP1");
  w.advance(1_000);
  w.tick();
  w.advance(100_000);
  const later = w.tick();
  assert.deepEqual(only(later, "storeEnd"), []);
  assert.deepEqual(only(later, "storeExpiry"), []);
});
