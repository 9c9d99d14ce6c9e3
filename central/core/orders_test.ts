import assert from "node:assert/strict";
import { commands, idIn, only, World } from "./testing.ts";
import { viewAfterOrder } from "./orders.ts";
import { viewOf } from "./cp.ts";

Deno.test("a stop mid-supply ends it (its ticket follows), and the order reaches the Monitor", () => {
  const w = new World();
  w.enroll("CP1");
  const link = w.link("CP1");
  const id = w.charge("D1", "CP1");
  const effects = w.feed({ type: "order", cpId: "CP1", order: "STOP" });
  assert.equal(w.stateOf("CP1"), "stopped");
  assert.equal(only(effects, "saveCp")[0].stopped, true);
  assert.equal(commands(effects, "supply.cancel")[0].sessionId, id);
  assert.equal(commands(effects, "supply.cancel")[0].reason, "stopped by the operator");
  const [order] = only(effects, "orderMonitor");
  assert.deepEqual([order.linkId, order.order], [link, "STOP"]);
  const at = new Date(w.now).toISOString();
  const ended = w.feed({
    type: "ended",
    report: {
      sessionId: id,
      cpId: "CP1",
      driverId: "D1",
      start: at,
      end: at,
      kwh: 0.2,
      eur: 0.07,
      partial: true,
      reason: "stopped",
    },
  });
  assert.equal(only(ended, "storeEnd")[0].ticket.kwh, 0.2);
  assert.equal(w.stateOf("CP1"), "stopped");
  w.feed({ type: "order", cpId: "CP1", order: "RESUME" });
  assert.equal(w.stateOf("CP1"), "available");
});

Deno.test("an order for a CP without its Monitor is kept for when it connects", () => {
  const w = new World();
  w.enroll("CP1");
  const effects = w.feed({ type: "order", cpId: "CP1", order: "STOP" });
  assert.equal(only(effects, "orderMonitor").length, 0);
  assert.match(only(effects, "message")[0].text, /applied when its Monitor connects/);
  assert.equal(w.state.cps.get("CP1")!.stopped, true);
});

Deno.test("an order for a CP owned elsewhere is its owner's to apply", () => {
  const w = new World({}, { owned: [0] });
  const other = idIn(1);
  w.feed({
    type: "catalog",
    cps: [{ id: other, location: "", pricePerKwh: 0.3, stopped: false, state: "available" }],
  });
  assert.deepEqual(w.feed({ type: "order", cpId: other, order: "STOP" }), []);
});

Deno.test("the view an operator is answered with shows the order applied", () => {
  const w = new World();
  w.cp("CP1");
  w.charge("D1", "CP1");
  const cp = w.state.cps.get("CP1")!;
  const stopped = viewAfterOrder(cp, viewOf(cp), "STOP");
  assert.equal(stopped.state, "stopped");
  const shown = { ...viewOf(cp) };
  const elsewhere = { ...cp, owned: false, shown };
  const answered = viewAfterOrder(elsewhere, shown, "STOP");
  assert.equal(answered.state, "stopped");
  assert.equal(answered.driverId, undefined);
  assert.equal(viewAfterOrder(elsewhere, answered, "RESUME").state, "available");
});

Deno.test("the Monitor's answer to an order is told to people", () => {
  const w = new World();
  const effects = w.feed({ type: "orderOutcome", cpId: "CP1", order: "STOP", outcome: "timeout" });
  assert.match(only(effects, "message")[0].text, /stop not acknowledged \(timeout\)/);
});
