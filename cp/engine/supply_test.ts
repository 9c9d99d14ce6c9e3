import assert from "node:assert/strict";
import { authorized, ended, plugged, powerNow, tick } from "./supply.ts";

Deno.test("energy flows only once plugged, and € follow kWh", () => {
  let s = authorized("s1", "D1", 0.35, 1000);
  assert.equal(tick(s, 1, 7).kwh, 0);
  s = plugged(s, 2000);
  s = tick(s, 3600, 7);
  s = tick(s, 1800, 10);
  assert.equal(s.kwh, 12);
  assert.equal(s.eur.toFixed(2), "4.20");
  assert.equal(s.kw, 10);
});

Deno.test("an end by unplugging is whole, any other is partial", () => {
  const s = tick(plugged(authorized("s1", "D1", 0.3, 0), 5), 60, 6);
  assert.deepEqual(ended(s, "unplugged", 65), {
    sessionId: "s1",
    driverId: "D1",
    start: 5,
    end: 65,
    kwh: s.kwh,
    eur: s.kwh * 0.3,
    partial: false,
    reason: "unplugged",
  });
  assert.equal(ended(s, "fault", 70).partial, true);
});

Deno.test("power wanders near the maximum", () => {
  assert.equal(powerNow(22, () => 0), 22 * 0.85);
  assert.ok(powerNow(22) <= 22 * 0.95);
});
