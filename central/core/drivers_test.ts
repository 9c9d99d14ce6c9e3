import assert from "node:assert/strict";
import { helloReplies } from "./drivers.ts";

Deno.test("a driver back after dying is shown its supply in progress and unconfirmed tickets, its own only", () => {
  const live = [{
    id: "s1",
    cpId: "CP1",
    driverId: "D1",
    requestId: "s1",
    status: "charging" as const,
    pricePerKwh: 0.35,
    authorizedAt: 0,
    kw: 0,
    kwh: 0,
  }];
  const ticket = {
    sessionId: "s0",
    cpId: "CP2",
    driverId: "D1",
    start: "2026-12-01T10:00:00.000Z",
    end: "2026-12-01T10:05:00.000Z",
    kwh: 1,
    eur: 0.35,
    partial: false,
    reason: "unplugged",
  };
  const replies = helloReplies("D1", live, [ticket, { ...ticket, driverId: "D2" }]);
  assert.deepEqual(replies.map((r) => r.type), ["authorized", "ticket"]);
  assert.ok(replies.every((r) => r.driverId === "D1"));
  assert.deepEqual(helloReplies("D2", live, []), []);
});
