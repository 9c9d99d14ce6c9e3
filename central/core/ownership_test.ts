import assert from "node:assert/strict";
import { commands, idIn, ME, only, World } from "./testing.ts";
import type { LiveSession } from "./inputs.ts";

const session = (cpId: string, status: LiveSession["status"], at: number): LiveSession => ({
  id: `s-${cpId}`,
  cpId,
  driverId: `D-${cpId}`,
  requestId: `s-${cpId}`,
  status,
  pricePerKwh: 0.35,
  authorizedAt: at,
  startedAt: status === "charging" ? at : undefined,
  kw: 7,
  kwh: 1,
});

const info = (id: string) => ({ id, location: "Lab", pricePerKwh: 0.35, stopped: false });

Deno.test("a CP owned elsewhere is shown as its owner announces it", () => {
  const w = new World({}, { owned: [0] });
  const other = idIn(1);
  w.feed({ type: "catalog", cps: [{ ...info(other), state: "available" }] });
  assert.equal(w.stateOf(other), "disconnected", "a saved state says nothing of now");
  w.feed({
    type: "announced",
    from: "central-b",
    removed: [],
    cps: [{
      id: other,
      location: "Lab",
      pricePerKwh: 0.35,
      state: "charging",
      driverId: "D9",
      updatedAt: "",
    }],
  });
  assert.equal(w.stateOf(other), "charging");
  // the rules are its owner's: a request that reaches this instance changes nothing
  w.feed({ type: "linkUp", cpId: other, holder: ME, linkId: "A1", engineOk: false });
  assert.equal(w.stateOf(other), "charging");
  // its own announcements are not news to an instance
  w.feed({ type: "announced", from: ME, removed: [other], cps: [] });
  assert.ok(w.state.cps.has(other));
  w.feed({ type: "announced", from: "central-b", removed: [other], cps: [] });
  assert.ok(!w.state.cps.has(other));
});

Deno.test("a takeover goes on with the supplies in progress, with the links already known", () => {
  const w = new World({}, { owned: [0] });
  const a = idIn(1, 12, "A");
  const b = idIn(1, 12, "B");
  w.feed({ type: "catalog", cps: [info(a), info(b)] });
  w.feed({ type: "linkUp", cpId: a, holder: "central-b", linkId: "B1", engineOk: true });
  w.feed({ type: "linkUp", cpId: b, holder: "central-b", linkId: "B2", engineOk: true });
  const effects = w.feed({
    type: "owned",
    partitions: [1],
    cps: [info(a), info(b)],
    sessions: [session(a, "charging", w.now - 10_000), session(b, "authorized", w.now - 1_000)],
  });
  assert.equal(w.stateOf(a), "charging");
  assert.equal(w.stateOf(b), "reserved");
  assert.equal(commands(effects, "supply.cancel").length, 0, "nothing interrupted");
  w.advance(1_000);
  w.heartbeat();
  w.feed({
    type: "progress",
    cpId: a,
    sessionId: `s-${a}`,
    driverId: `D-${a}`,
    kw: 7,
    kwh: 1.5,
    eur: 0.525,
  });
  assert.equal(w.state.cps.get(a)!.supply!.kwh, 1.5);
});

Deno.test("a supply taken over onto a faulted CP ends; one whose CP is not heard of gets the reconnect grace", () => {
  const w = new World({ reconnectGraceMs: 30_000 }, { owned: [0] });
  const faulted = idIn(1, 12, "F");
  const silent = idIn(1, 12, "S");
  w.feed({ type: "linkUp", cpId: faulted, holder: "central-b", linkId: "B1", engineOk: false });
  const effects = w.feed({
    type: "owned",
    partitions: [1],
    cps: [info(faulted), info(silent)],
    sessions: [session(faulted, "charging", w.now), session(silent, "charging", w.now)],
  });
  assert.equal(commands(effects, "supply.cancel")[0].cpId, faulted);
  assert.equal(w.stateOf(silent), "disconnected");
  assert.equal(commands(effects, "supply.cancel").length, 1);
  // its Engine goes on (telemetry), its Monitor does not come back
  for (let i = 0; i < 29; i++) {
    w.advance(1_000);
    w.heartbeat();
    w.feed({
      type: "progress",
      cpId: silent,
      sessionId: `s-${silent}`,
      driverId: `D-${silent}`,
      kw: 7,
      kwh: 1 + i / 100,
      eur: 0,
    });
  }
  assert.deepEqual(only(w.tick(), "storeEnd").map((e) => e.ticket.cpId), [faulted]);
  w.advance(1_000);
  w.heartbeat();
  const [end] = only(w.tick(), "storeEnd");
  assert.ok(end.ticket.kwh >= 1.28);
  assert.equal(end.ticket.cpId, silent);
  assert.equal(end.ticket.reason, "CP did not reconnect");
});

Deno.test("a CP that reconnects within the grace goes on supplying", () => {
  const w = new World({ reconnectGraceMs: 30_000 }, { owned: [0] });
  const cp = idIn(1);
  w.feed({
    type: "owned",
    partitions: [1],
    cps: [info(cp)],
    sessions: [session(cp, "charging", w.now)],
  });
  w.advance(2_000);
  w.heartbeat();
  w.feed({ type: "linkUp", cpId: cp, holder: "central-b", linkId: "B1", engineOk: true });
  assert.equal(w.stateOf(cp), "charging");
  w.advance(60_000);
  w.heartbeat();
  w.feed({ type: "linksAlive", holder: "central-b", at: 0, links: [[cp, "B1", true]] });
  w.feed({
    type: "progress",
    cpId: cp,
    sessionId: `s-${cp}`,
    driverId: `D-${cp}`,
    kw: 7,
    kwh: 2,
    eur: 0.7,
  });
  assert.deepEqual(only(w.tick(), "storeEnd"), []);
  assert.equal(w.stateOf(cp), "charging");
});

Deno.test("partitions lost: their CPs are shown as they were until the new owner speaks", () => {
  const w = new World({}, { owned: [0, 1] });
  const cp = idIn(1);
  w.cp(cp);
  w.charge("D1", cp);
  w.feed({ type: "disowned", partitions: [1] });
  assert.equal(w.stateOf(cp), "charging");
  assert.equal(w.state.cps.get(cp)!.owned, false);
  w.advance(100_000);
  assert.deepEqual(only(w.tick(), "storeEnd"), [], "the new owner ends it, not this instance");
});
