import assert from "node:assert/strict";
import { commands, ME, only, World } from "./testing.ts";

Deno.test("a Monitor may be linked at another instance: its facts drive the owner's CP", () => {
  const w = new World();
  w.enroll("CP1");
  const effects = w.feed({
    type: "linkUp",
    cpId: "CP1",
    holder: "central-b",
    linkId: "B1",
    engineOk: true,
  });
  assert.equal(w.stateOf("CP1"), "available");
  const [order] = only(effects, "orderMonitor");
  assert.deepEqual(order, {
    type: "orderMonitor",
    cpId: "CP1",
    holder: "central-b",
    linkId: "B1",
    order: "RESUME",
  });
  w.feed({ type: "linkHealth", cpId: "CP1", holder: "central-b", linkId: "B1", engineOk: false });
  assert.equal(w.stateOf("CP1"), "faulted");
});

Deno.test("a registration resends the operator's order (a stop given while the CP was away)", () => {
  const w = new World();
  w.enroll("CP1");
  w.feed({ type: "order", cpId: "CP1", order: "STOP" });
  const effects = w.feed({ type: "linkUp", cpId: "CP1", holder: ME, linkId: "L1", engineOk: true });
  assert.equal(only(effects, "orderMonitor")[0].order, "STOP");
  assert.equal(w.stateOf("CP1"), "stopped");
});

Deno.test("a Monitor that moved to another instance: the old link's late facts are ignored", () => {
  const w = new World();
  w.enroll("CP1");
  w.feed({ type: "linkUp", cpId: "CP1", holder: "central-b", linkId: "B1", engineOk: true });
  w.feed({ type: "linkUp", cpId: "CP1", holder: ME, linkId: "A1", engineOk: true });
  w.feed({ type: "linkDown", cpId: "CP1", holder: "central-b", linkId: "B1", reason: "closed" });
  w.feed({ type: "linkHealth", cpId: "CP1", holder: "central-b", linkId: "B1", engineOk: false });
  assert.equal(w.stateOf("CP1"), "available");
});

Deno.test("a holder that died: its links go silent on the links timeline, and only then", () => {
  const w = new World({ linkSilenceMs: 4_000 });
  w.enroll("CP1");
  w.feed({ type: "linkUp", cpId: "CP1", holder: "central-b", linkId: "B1", engineOk: true });
  // this instance is late (it read nothing for a minute): its ticks judge nothing meanwhile
  const start = w.now;
  w.advance(60_000);
  w.tick();
  assert.equal(w.stateOf("CP1"), "available");
  // then it reads what was published meanwhile, in order: central-b was alive all along
  for (let t = start + 1_000; t <= w.now; t += 1_000) {
    w.feed({ type: "linksAlive", holder: "central-b", at: t, links: [["CP1", "B1", true]] });
    w.feed({ type: "linksAlive", holder: ME, at: t, links: [] });
    w.tick();
  }
  assert.equal(w.stateOf("CP1"), "available");
  // from now on central-b says nothing
  for (let i = 0; i < 3; i++) {
    w.advance(1_000);
    w.heartbeat();
    w.tick();
  }
  assert.equal(w.stateOf("CP1"), "available", "3 s of silence is not yet gone");
  w.advance(2_000);
  w.heartbeat();
  w.tick();
  assert.equal(w.stateOf("CP1"), "disconnected");
});

Deno.test("a holder's heartbeat keeps its links alive", () => {
  const w = new World({ linkSilenceMs: 4_000 });
  w.enroll("CP1");
  w.feed({ type: "linkUp", cpId: "CP1", holder: "central-b", linkId: "B1", engineOk: true });
  for (let i = 0; i < 20; i++) {
    w.advance(1_000);
    w.feed({ type: "linksAlive", holder: "central-b", at: 0, links: [["CP1", "B1", true]] });
    w.heartbeat();
    w.tick();
  }
  assert.equal(w.stateOf("CP1"), "available");
});

Deno.test("a heartbeat names a link this instance never saw come up: it is adopted", () => {
  const w = new World();
  w.enroll("CP1");
  w.feed({ type: "linksAlive", holder: "central-b", at: 0, links: [["CP1", "B7", false]] });
  assert.equal(w.stateOf("CP1"), "faulted");
});

Deno.test("a Monitor lost mid-supply: the Engine is told to end it", () => {
  const w = new World();
  w.enroll("CP1");
  const link = w.link("CP1");
  const id = w.charge("D1", "CP1");
  const effects = w.feed({
    type: "linkDown",
    cpId: "CP1",
    holder: ME,
    linkId: link,
    reason: "closed",
  });
  const [cancel] = commands(effects, "supply.cancel");
  assert.equal(cancel.sessionId, id);
  assert.equal(cancel.reason, "CP disconnected");
});

Deno.test("a CP disconnected says why its link went", () => {
  const w = new World();
  w.enroll("CP1");
  w.feed({ type: "linkUp", cpId: "CP1", holder: ME, linkId: "L1", engineOk: true });
  const effects = w.feed({
    type: "linkDown",
    cpId: "CP1",
    holder: ME,
    linkId: "L1",
    reason: "write stalled for 10000 ms: the peer is not reading",
  });
  assert.equal(w.stateOf("CP1"), "disconnected");
  assert.deepEqual(only(effects, "message").map((m) => m.text), [
    "CP1 disconnected (write stalled for 10000 ms: the peer is not reading)",
  ]);
});
