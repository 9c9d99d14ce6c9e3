import assert from "node:assert/strict";
import { type Cp, denialReason, stateOf, viewOf } from "./cp.ts";

const base: Cp = {
  id: "CP1",
  location: "Lab",
  pricePerKwh: 0.3,
  connected: true,
  engineOk: true,
  stopped: false,
  updatedAt: 0,
};
const supply = {
  sessionId: "s",
  driverId: "D1",
  requestId: "r",
  phase: "charging" as const,
  kw: 7.4,
  kwh: 1.23456,
  eur: 0.37,
  authorizedAt: 0,
};

Deno.test("a disconnected Monitor shows disconnected whatever the Engine does", () => {
  assert.equal(
    stateOf({ ...base, connected: false, engineOk: false, stopped: true }),
    "disconnected",
  );
});

Deno.test("faulted beats stopped, stopped beats a supply", () => {
  assert.equal(stateOf({ ...base, engineOk: false, stopped: true }), "faulted");
  assert.equal(stateOf({ ...base, stopped: true, supply }), "stopped");
  assert.equal(stateOf({ ...base, supply }), "charging");
  assert.equal(stateOf({ ...base, supply: { ...supply, phase: "reserved" } }), "reserved");
  assert.equal(stateOf(base), "available");
});

Deno.test("every denial has its reason", () => {
  assert.equal(denialReason(undefined, false), "unknown CP");
  assert.equal(denialReason(base, true), "driver already has a supply in progress");
  assert.equal(denialReason({ ...base, supply }, false), "CP busy");
  assert.equal(denialReason({ ...base, stopped: true }, false), "CP stopped (out of order)");
  assert.equal(denialReason({ ...base, engineOk: false }, false), "CP faulted");
  assert.equal(denialReason({ ...base, connected: false }, false), "CP disconnected");
  assert.equal(denialReason(base, false), undefined);
});

Deno.test("the view shows the driver and rounded figures only while supplying", () => {
  const view = viewOf({ ...base, supply });
  assert.equal(view.state, "charging");
  assert.equal(view.driverId, "D1");
  assert.equal(view.kwh, 1.235);
  assert.equal(viewOf(base).driverId, undefined);
});
