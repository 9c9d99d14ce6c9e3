import assert from "node:assert/strict";
import { parseEvent } from "./events.ts";

const AT = "2026-11-22T10:00:00.000Z";
const record = (body: Record<string, unknown>) =>
  JSON.stringify({ v: 1, id: "e1", at: AT, ...body });
const ticket = {
  type: "supply.ended",
  sessionId: "s1",
  cpId: "CP1",
  driverId: "D1",
  start: "2026-11-22T09:00:00.000Z",
  end: "2026-11-22T09:30:00.000Z",
  kwh: 11,
  eur: 3.3,
  partial: false,
  reason: "unplugged",
};
const cpView = {
  id: "CP1",
  location: "Alicante",
  pricePerKwh: 0.3,
  state: "available",
  updatedAt: AT,
};

/** Whether a record of `type` with `body` is refused, and why. */
function refused(body: Record<string, unknown>): string | undefined {
  const e = parseEvent(record(body), [body.type as "supply.ended"]);
  return typeof e === "string" ? e : undefined;
}

Deno.test("good records pass", () => {
  assert.equal(refused(ticket), undefined);
  assert.equal(
    refused({ type: "network", cps: [cpView, { ...cpView, id: "CP2", kw: 7 }] }),
    undefined,
  );
  assert.equal(refused({ type: "network", cps: [] }), undefined);
  assert.equal(refused({ ...ticket, start: "2026-11-22T09:00:00+01:00" }), undefined);
});

Deno.test("text with control characters, or too long, is refused", () => {
  assert.match(refused({ ...ticket, reason: "un\x1b[2Jplugged" })!, /bad reason/);
  assert.match(refused({ ...ticket, reason: "x\u202e" })!, /bad reason/);
  assert.match(refused({ ...ticket, sessionId: "s\n1" })!, /bad sessionId/);
  assert.match(refused({ ...ticket, reason: "x".repeat(501) })!, /bad reason/);
  assert.match(refused({ ...ticket, reason: "" })!, /bad reason/);
});

Deno.test("times must be real RFC 3339 instants within sane bounds", () => {
  for (
    const bad of [
      "yesterday",
      "2026-11-22",
      "2026-02-30T10:00:00Z",
      "2026-11-22T25:00:00Z",
      "2026-11-22 10:00:00",
      "+275760-09-13T00:00:00.000Z",
      "9999-12-31T23:59:59Z",
      "1970-01-01T00:00:00Z",
      "2026-11-22T10:00:00",
      12345,
    ]
  ) {
    assert.match(refused({ ...ticket, start: bad }) ?? "accepted", /bad start/, String(bad));
  }
  assert.match(
    parseEvent(JSON.stringify({ v: 1, id: "e1", at: "3000-01-01T00:00:00Z", ...ticket }), [
      "supply.ended",
    ]) as string,
    /envelope/,
  );
});

Deno.test("numbers must be in plausible ranges", () => {
  for (const [field, value] of [["kwh", -1], ["kwh", 1e9], ["eur", 1e12], ["kwh", "1"]] as const) {
    assert.match(refused({ ...ticket, [field]: value }) ?? "accepted", new RegExp(`bad ${field}`));
  }
  const progress = { type: "supply.progress", cpId: "CP1", sessionId: "s1", driverId: "D1" };
  assert.equal(refused({ ...progress, kw: 22, kwh: 1, eur: 0.3 }), undefined);
  assert.match(refused({ ...progress, kw: 1e6, kwh: 1, eur: 0.3 })!, /bad kw/);
  const authorize = { type: "supply.authorize", cpId: "CP1", sessionId: "s1", driverId: "D1" };
  assert.equal(refused({ ...authorize, pricePerKwh: 0.3 }), undefined);
  assert.match(refused({ ...authorize, pricePerKwh: 1000 })!, /bad pricePerKwh/);
});

Deno.test("a forged network view is refused whole: every CP must be a CP", () => {
  for (
    const cps of [
      [1, 2],
      ["CP1"],
      [null],
      [{ ...cpView, id: "CP 1\x1b" }],
      [{ ...cpView, location: "x".repeat(10_000) }],
      [{ ...cpView, location: "A\x1b[2J" }],
      [{ ...cpView, state: "exploded" }],
      [{ ...cpView, pricePerKwh: "free" }],
      [{ ...cpView, kwh: -1 }],
      [{ ...cpView, driverId: 7 }],
      [{ ...cpView, updatedAt: "now" }],
      Array.from({ length: 100_001 }, () => cpView),
      "everything",
    ]
  ) {
    assert.match(refused({ type: "network", cps }) ?? "accepted", /bad cps|too large/);
  }
});
