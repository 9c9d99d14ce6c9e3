import assert from "node:assert/strict";
import { commands, idIn, notices, only, World } from "./testing.ts";

Deno.test("a request at an available CP is recorded first, then authorized", () => {
  const w = new World();
  w.cp("CP1");
  const requestId = w.ask("D1", "CP1");
  const claim = only(w.log, "claim").at(-1)!;
  assert.equal(claim.session.cpId, "CP1");
  assert.equal(claim.session.driverId, "D1");
  assert.equal(claim.session.pricePerKwh, 0.35);
  assert.equal(notices(w.log, "authorized").length, 0, "nobody is told before it is recorded");
  assert.equal(w.stateOf("CP1"), "reserved");
  const effects = w.feed({ type: "claimed", cpId: "CP1", sessionId: requestId });
  const [authorized] = notices(effects, "authorized");
  assert.equal(authorized.driverId, "D1");
  assert.equal(authorized.cpId, "CP1");
  assert.equal(commands(effects, "supply.authorize")[0].cpId, "CP1");
  assert.equal(w.stateOf("CP1"), "reserved");
  assert.equal(w.state.cps.get("CP1")!.shown, undefined);
});

Deno.test("every denial reason reaches the driver", () => {
  const w = new World();
  const denied = (driver: string, cp: string) => {
    const effects = w.feed({
      type: "request",
      requestId: crypto.randomUUID(),
      driverId: driver,
      cpId: cp,
      source: "driver",
      receivedAt: w.now,
    });
    assert.equal(only(effects, "claim").length, 0, `${driver} at ${cp} must not be recorded`);
    return notices(effects, "denied")[0]?.reason;
  };
  assert.equal(denied("D1", "NOPE"), "unknown CP");
  w.enroll("CP1");
  assert.equal(denied("D1", "CP1"), "CP disconnected");
  const link = w.link("CP1", false);
  assert.equal(denied("D1", "CP1"), "CP faulted");
  w.feed({ type: "linkHealth", cpId: "CP1", holder: "central-a", linkId: link, engineOk: true });
  w.feed({ type: "order", cpId: "CP1", order: "STOP" });
  assert.equal(denied("D1", "CP1"), "CP stopped (out of order)");
  w.feed({ type: "order", cpId: "CP1", order: "RESUME" });
  w.reserve("D2", "CP1");
  assert.equal(denied("D1", "CP1"), "CP busy");
});

Deno.test("a driver with a supply in progress is denied at a second, available CP", () => {
  const w = new World();
  w.cp("CP1");
  w.cp("CP2");
  w.charge("D1", "CP1");
  const effects = w.feed({
    type: "request",
    requestId: "second",
    driverId: "D1",
    cpId: "CP2",
    source: "driver",
    receivedAt: w.now,
  });
  assert.equal(notices(effects, "denied")[0]?.reason, "driver already has a supply in progress");
  assert.equal(w.stateOf("CP2"), "available");
});

Deno.test("a driver asking again where its supply goes on is told that supply", () => {
  const w = new World();
  w.cp("CP1");
  const sessionId = w.charge("D1", "CP1");
  const effects = w.feed({
    type: "request",
    requestId: "after-restart",
    driverId: "D1",
    cpId: "CP1",
    source: "driver",
    receivedAt: w.now,
  });
  assert.deepEqual(notices(effects, "denied"), []);
  const [told] = notices(effects, "authorized");
  assert.equal(told.requestId, "after-restart");
  assert.equal(told.sessionId, sessionId);
  assert.equal(told.resumed, true);
  assert.deepEqual(only(effects, "claim"), [], "no second supply");
  assert.deepEqual(only(effects, "command"), [], "the Engine is not told again");
  assert.equal(w.stateOf("CP1"), "charging");
});

Deno.test("a driver busy at a CP another instance owns is denied too", () => {
  const w = new World({}, { owned: [0] });
  const mine = idIn(0);
  const elsewhere = idIn(1);
  w.cp(mine);
  w.feed({
    type: "announced",
    from: "central-b",
    removed: [],
    cps: [{
      id: elsewhere,
      location: "",
      pricePerKwh: 0.3,
      state: "charging",
      driverId: "D1",
      updatedAt: new Date(w.now).toISOString(),
    }],
  });
  assert.equal(w.stateOf(elsewhere), "charging");
  const effects = w.feed({
    type: "request",
    requestId: "r",
    driverId: "D1",
    cpId: mine,
    source: "driver",
    receivedAt: w.now,
  });
  assert.equal(notices(effects, "denied")[0]?.reason, "driver already has a supply in progress");
});

Deno.test("two requests for one CP: the first is recorded, the second is busy", () => {
  const w = new World();
  w.cp("CP1");
  w.ask("D1", "CP1");
  w.ask("D2", "CP1");
  assert.equal(only(w.log, "claim").length, 1);
  assert.equal(notices(w.log, "denied")[0].reason, "CP busy");
});

Deno.test("the database's refusal (another instance's supply) denies with its reason", () => {
  const w = new World();
  w.cp("CP1");
  const id = w.ask("D1", "CP1");
  const effects = w.feed({
    type: "claimRefused",
    cpId: "CP1",
    sessionId: id,
    reason: "driver already has a supply in progress",
  });
  assert.equal(notices(effects, "denied")[0].reason, "driver already has a supply in progress");
  assert.equal(w.stateOf("CP1"), "available");
});

Deno.test("a duplicate request refused by the database is answered by nobody", () => {
  const w = new World();
  w.cp("CP1");
  const id = w.ask("D1", "CP1");
  const effects = w.feed({
    type: "claimRefused",
    cpId: "CP1",
    sessionId: id,
    reason: "duplicate request",
  });
  assert.equal(notices(effects).length, 0);
  assert.equal(w.stateOf("CP1"), "available");
});

Deno.test("a redelivered request is told again while reserved, and never recorded twice", () => {
  const w = new World();
  w.cp("CP1");
  const id = w.reserve("D1", "CP1");
  const again = w.request("D1", "CP1", id);
  assert.equal(notices(again, "authorized").length, 1);
  assert.equal(commands(again, "supply.authorize").length, 1);
  assert.equal(only(w.log, "claim").length, 1);
  w.feed({ type: "started", cpId: "CP1", sessionId: id, driverId: "D1" });
  assert.deepEqual(w.request("D1", "CP1", id), []);
});

Deno.test("a request answered and then redelivered changes nothing", () => {
  const w = new World();
  const first = w.request("D1", "NOPE", "r-1");
  assert.equal(notices(first, "denied").length, 1);
  assert.deepEqual(w.request("D1", "NOPE", "r-1"), []);
});

Deno.test("a request that reached the broker over 5 minutes ago is skipped", () => {
  const w = new World();
  w.cp("CP1");
  const effects = w.feed({
    type: "request",
    requestId: "old",
    driverId: "D1",
    cpId: "CP1",
    source: "driver",
    receivedAt: w.now - 5 * 60_000 - 1,
  });
  assert.equal(only(effects, "claim").length, 0);
  assert.equal(notices(effects).length, 0);
  assert.match(only(effects, "message")[0].text, /too old, skipped/);
  const fresh = w.feed({
    type: "request",
    requestId: "fresh",
    driverId: "D1",
    cpId: "CP1",
    source: "driver",
    receivedAt: w.now - 4 * 60_000,
  });
  assert.equal(only(fresh, "claim").length, 1);
});

Deno.test("a stop that lands while a request is recorded: the driver is denied, the CP stopped", () => {
  const w = new World();
  w.cp("CP1");
  const id = w.ask("D1", "CP1");
  w.feed({ type: "order", cpId: "CP1", order: "STOP" });
  const effects = w.feed({ type: "claimed", cpId: "CP1", sessionId: id });
  assert.equal(notices(effects, "authorized").length, 0);
  assert.equal(notices(effects, "denied")[0].reason, "CP stopped (out of order)");
  assert.equal(only(effects, "storeExpiry")[0].sessionId, id);
  assert.equal(commands(effects, "supply.authorize").length, 0);
  assert.equal(w.stateOf("CP1"), "stopped");
});

Deno.test("telemetry is priced by Central and relayed to the supply's driver only", () => {
  const w = new World();
  w.cp("CP1", 0.35);
  const id = w.charge("D1", "CP1");
  assert.equal(w.stateOf("CP1"), "charging");
  const effects = w.telemetry("CP1", id, "D1", 2, 99);
  const [p] = notices(effects, "progress");
  assert.equal(p.driverId, "D1");
  assert.equal(p.kwh, 2);
  assert.equal(p.eur, 0.7);
  assert.equal(notices(effects).length, 1);
  assert.match(only(effects, "message")[0].text, /reported 99\.00 € .* billed 0\.70 €/);
  // telemetry of another driver or session is nobody's business here
  assert.deepEqual(w.telemetry("CP1", id, "D2", 3), []);
  assert.deepEqual(w.telemetry("CP1", "other", "D1", 3), []);
});

Deno.test("unplugged: the ticket is stored at the CP's price, then sent", () => {
  const w = new World();
  w.cp("CP1", 0.35);
  const id = w.charge("D1", "CP1");
  w.telemetry("CP1", id, "D1", 1.5);
  const start = new Date(w.now).toISOString();
  w.advance(10_000);
  const effects = w.feed({
    type: "ended",
    report: {
      sessionId: id,
      cpId: "CP1",
      driverId: "D1",
      start,
      end: new Date(w.now).toISOString(),
      kwh: 2,
      eur: 0.7,
      partial: false,
      reason: "unplugged",
    },
  });
  assert.equal(w.stateOf("CP1"), "available");
  const [store] = only(effects, "storeEnd");
  assert.equal(store.ticket.kwh, 2);
  assert.equal(store.ticket.eur, 0.7);
  assert.equal(store.ticket.partial, false);
  assert.equal(only(effects, "sendTicket").length, 0, "sent only once stored");
  const sent = w.feed({ type: "endStored", ticket: store.ticket });
  assert.equal(only(sent, "sendTicket").length, 1);
});

Deno.test("the ticket is never below the telemetry seen, and priced with the authorized price", () => {
  const w = new World();
  w.cp("CP1", 0.5);
  const id = w.charge("D1", "CP1");
  w.telemetry("CP1", id, "D1", 3);
  const effects = w.feed({
    type: "ended",
    report: {
      sessionId: id,
      cpId: "CP1",
      driverId: "D1",
      start: new Date(w.now).toISOString(),
      end: new Date(w.now).toISOString(),
      kwh: 2.5,
      eur: 9,
      partial: false,
      reason: "unplugged",
    },
  });
  const [store] = only(effects, "storeEnd");
  assert.equal(store.ticket.kwh, 3);
  assert.equal(store.ticket.eur, 1.5);
});

Deno.test("an end of a supply not live here is checked against the stored session", () => {
  const w = new World();
  w.cp("CP1");
  const report = {
    sessionId: "s-old",
    cpId: "CP1",
    driverId: "D1",
    start: new Date(w.now).toISOString(),
    end: new Date(w.now).toISOString(),
    kwh: 1,
    eur: 0.35,
    partial: true,
    reason: "restart",
  };
  assert.equal(only(w.feed({ type: "ended", report }), "loadSession").length, 1);
  const stored = {
    id: "s-old",
    cpId: "CP1",
    driverId: "D1",
    pricePerKwh: 0.4,
    authorizedAt: w.now,
    ticketSent: false,
  };
  // a late plug-in after the reservation expired is billed; an empty one is not
  const late = w.feed({ type: "sessionLoaded", report, session: { ...stored, status: "expired" } });
  assert.deepEqual(only(late, "storeEnd")[0].from, ["expired"]);
  assert.equal(only(late, "storeEnd")[0].ticket.eur, 0.4);
  const empty = w.feed({
    type: "sessionLoaded",
    report: { ...report, kwh: 0 },
    session: { ...stored, status: "expired" },
  });
  assert.deepEqual(empty, []);
  // a redelivered end whose ticket went out changes nothing; one that never went out is sent
  const ticket = { ...report, eur: 0.4 };
  assert.deepEqual(
    w.feed({
      type: "sessionLoaded",
      report,
      session: { ...stored, status: "ended", ticket, ticketSent: true },
    }),
    [],
  );
  const unsent = w.feed({
    type: "sessionLoaded",
    report,
    session: { ...stored, status: "ended", ticket, ticketSent: false },
  });
  assert.equal(only(unsent, "sendTicket").length, 1);
  // a forged end (another CP or driver) is ignored
  assert.deepEqual(
    w.feed({
      type: "sessionLoaded",
      report: { ...report, driverId: "D9" },
      session: { ...stored, status: "charging" },
    }),
    [],
  );
});
