import assert from "node:assert/strict";
import { only, World } from "./testing.ts";

Deno.test("an enrolled CP with no Monitor shows disconnected", () => {
  const w = new World();
  w.enroll("CP1");
  assert.equal(w.stateOf("CP1"), "disconnected");
});

Deno.test("every state of BRIEF §2 and the way into it", () => {
  const w = new World();
  w.enroll("CP1");
  const link = w.link("CP1");
  assert.equal(w.stateOf("CP1"), "available");
  const health = (engineOk: boolean) =>
    w.feed({ type: "linkHealth", cpId: "CP1", holder: "central-a", linkId: link, engineOk });
  health(false);
  assert.equal(w.stateOf("CP1"), "faulted");
  health(true);
  assert.equal(w.stateOf("CP1"), "available");
  w.feed({ type: "order", cpId: "CP1", order: "STOP" });
  assert.equal(w.stateOf("CP1"), "stopped");
  w.feed({ type: "order", cpId: "CP1", order: "RESUME" });
  const session = w.reserve("D1", "CP1");
  assert.equal(w.stateOf("CP1"), "reserved");
  w.feed({ type: "started", cpId: "CP1", sessionId: session, driverId: "D1" });
  assert.equal(w.stateOf("CP1"), "charging");
  w.feed({ type: "linkDown", cpId: "CP1", holder: "central-a", linkId: link, reason: "closed" });
  assert.equal(w.stateOf("CP1"), "disconnected");
});

Deno.test("a disconnected Monitor shows disconnected whatever the Engine and the operator say", () => {
  const w = new World();
  w.enroll("CP1");
  const link = w.link("CP1", false);
  w.feed({ type: "order", cpId: "CP1", order: "STOP" });
  w.feed({ type: "linkDown", cpId: "CP1", holder: "central-a", linkId: link, reason: "closed" });
  assert.equal(w.stateOf("CP1"), "disconnected");
});

Deno.test("a faulted CP stays faulted while stopped; its state change is stored and told", () => {
  const w = new World();
  w.enroll("CP1");
  const link = w.link("CP1");
  const effects = w.feed({
    type: "linkHealth",
    cpId: "CP1",
    holder: "central-a",
    linkId: link,
    engineOk: false,
  });
  assert.deepEqual(only(effects, "saveCp")[0], {
    type: "saveCp",
    cpId: "CP1",
    state: "faulted",
    stopped: false,
  });
  assert.match(only(effects, "message")[0].text, /CP1 out of order \(engine fault\)/);
  assert.equal(only(effects, "announce").length, 1);
  w.feed({ type: "order", cpId: "CP1", order: "STOP" });
  assert.equal(w.stateOf("CP1"), "faulted");
});

Deno.test("the view of a charging CP shows its driver, kW, kWh and € so far", () => {
  const w = new World();
  w.cp("CP1", 0.4);
  const id = w.charge("D1", "CP1");
  w.telemetry("CP1", id, "D1", 1.23456);
  const view = w.state.cps.get("CP1")!;
  assert.equal(view.supply?.kwh, 1.23456);
  const shown = w.state.cps.get("CP1") && w.stateOf("CP1");
  assert.equal(shown, "charging");
});
