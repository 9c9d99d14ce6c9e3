import assert from "node:assert/strict";
import { eurMismatch, priced, ticketOf } from "./ticket.ts";

const supply = {
  sessionId: "s",
  driverId: "D1",
  requestId: "s",
  phase: "charging" as const,
  pricePerKwh: 0.35,
  authorizedAt: Date.parse("2026-12-01T10:00:00Z"),
  startedAt: Date.parse("2026-12-01T10:00:05Z"),
  kw: 7,
  kwh: 1,
  eur: 0.35,
  heardAt: 0,
};

Deno.test("energy is priced with the CP's price per kWh", () => {
  assert.equal(priced(2, 0.35), 0.7);
  assert.ok(Math.abs(priced(0.02, 0.35) - 0.007) < 1e-12);
});

Deno.test("an Engine's € is checked, not trusted", () => {
  assert.equal(eurMismatch(0.7, 2, 0.35, 0.01), false);
  assert.equal(eurMismatch(1.4, 2, 0.35, 0.01), true);
  const t = ticketOf("CP1", supply, {
    end: supply.startedAt + 60_000,
    kwh: 2,
    reason: "unplugged",
    partial: false,
  });
  assert.equal(t.eur, 0.7);
  assert.equal(t.start, "2026-12-01T10:00:05.000Z");
});

Deno.test("a ticket never shows less energy than the telemetry did", () => {
  const t = ticketOf("CP1", { ...supply, kwh: 3 }, {
    end: 0,
    kwh: 2,
    reason: "fault",
    partial: true,
  });
  assert.equal(t.kwh, 3);
  assert.equal(t.eur, priced(3, 0.35));
});

Deno.test("a ticket keeps what the database stores: a long reason is cut", () => {
  const t = ticketOf("CP1", supply, { end: 0, reason: "x".repeat(500), partial: true });
  assert.equal(t.reason.length, 200);
});
