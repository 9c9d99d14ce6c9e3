/**
 * The supply lifecycle over the real broker and database, with the real programs: a full supply,
 * every denial, a race for one CP, a fault and a stop mid-supply, a Central crash mid-supply, and
 * a driver's file run unattended.
 */
import assert from "node:assert/strict";
import { driverEvents, plugIn, startNetwork, waitForEvents } from "./support/network.ts";
import { waitFor } from "./support/programs.ts";

const flow = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "supply: request, authorize, plug, live telemetry, unplug, one ticket",
  flow,
  async (t) => {
    await using net = await startNetwork();
    const cp1 = await net.addCp("CP1");
    await net.waitState("CP1", "available");

    await t.step("a full supply by hand", async () => {
      const d1 = await net.driver("D1", ["--cp", "CP1"]);
      await waitForEvents(d1, "authorized");
      await net.waitState("CP1", "reserved", 5_000);
      await plugIn(cp1.engine);
      await net.waitState("CP1", "charging", 10_000);
      const progress = await waitForEvents(d1, "progress", 3, 20_000);
      await cp1.engine.say("E");
      const status = await d1.done;
      assert.equal(status.code, 0);
      const tickets = driverEvents(d1).filter((e) => e.type === "ticket");
      assert.equal(tickets.length, 1);
      const ticket = tickets[0] as unknown as { kwh: number; eur: number; partial: boolean };
      const last = progress.at(-1) as unknown as { kwh: number };
      assert.ok(ticket.kwh > 0 && ticket.kwh >= last.kwh - 1e-9, JSON.stringify({ ticket, last }));
      assert.ok(Math.abs(ticket.eur - ticket.kwh * 0.35) < 0.01);
      assert.equal(ticket.partial, false);
      const stored = await net.sessionsOf("D1");
      assert.equal(stored.length, 1);
      assert.equal(stored[0].status, "ended");
      assert.equal(stored[0].kwh, ticket.kwh);
      await net.waitState("CP1", "available", 5_000);
    });

    await t.step("every denial reaches the driver with its reason", async () => {
      const denied = async (driver: string, cp: string, reason: RegExp) => {
        const d = await net.driver(driver, ["--cp", cp]);
        assert.equal((await d.done).code, 2, d.lines.join("\n"));
        const [e] = driverEvents(d).filter((e) => e.type === "denied");
        assert.match(String(e.reason), reason);
      };
      await denied("D2", "NOPE", /unknown CP/);
      await net.fetch("POST", "/api/cps/CP1/stop");
      await net.waitState("CP1", "stopped", 5_000);
      await denied("D2", "CP1", /stopped/);
      await net.fetch("POST", "/api/cps/CP1/resume");
      await cp1.engine.say("F");
      await net.waitState("CP1", "faulted", 5_000);
      await denied("D2", "CP1", /faulted/);
      await cp1.engine.say("R");
      const cp2 = await net.addCp("CP2");
      await net.waitState("CP2", "available");
      await cp2.monitor.stop();
      await net.waitState("CP2", "disconnected", 5_000);
      await denied("D2", "CP2", /disconnected/);
      await net.waitState("CP1", "available", 5_000);
      const holder = await net.driver("D3", ["--cp", "CP1"]);
      await waitForEvents(holder, "authorized");
      await denied("D4", "CP1", /busy/);
      await cp2.engine.stop();
      await denied("D3", "CP2", /already has a supply/);
      await plugIn(cp1.engine);
      await waitForEvents(holder, "progress");
      await cp1.engine.say("E");
      assert.equal((await holder.done).code, 0);
      // every answer so far (2 authorized, 6 denied) timed from the broker's append
      await waitFor("every answer timed in /metrics", async () => {
        const text = await (await net.fetch("GET", "/metrics")).text();
        return Number(/^ev_request_answer_seconds_count (\d+)$/m.exec(text)?.[1]) >= 8;
      }, 10_000);
    });

    await t.step("two drivers asking for one CP: exactly one wins", async () => {
      await net.waitState("CP1", "available", 5_000);
      const [a, b] = await Promise.all([
        net.driver("D5", ["--cp", "CP1"]),
        net.driver("D6", ["--cp", "CP1"]),
      ]);
      const outcomes = await waitFor("both answered", () => {
        const all = [...driverEvents(a), ...driverEvents(b)].map((e) => e.type);
        const n = (type: string) => all.filter((x) => x === type).length;
        return n("authorized") + n("denied") >= 2 &&
          { authorized: n("authorized"), denied: n("denied") };
      });
      assert.deepEqual(outcomes, { authorized: 1, denied: 1 });
      await plugIn(cp1.engine);
      await new Promise((r) => setTimeout(r, 1500));
      await cp1.engine.say("E");
      const codes = [(await a.done).code, (await b.done).code].sort();
      assert.deepEqual(codes, [0, 2]);
    });

    await t.step("a KO mid-supply ends it at once with a partial ticket", async () => {
      await net.waitState("CP1", "available", 5_000);
      const d = await net.driver("D7", ["--cp", "CP1"]);
      await waitForEvents(d, "authorized");
      await plugIn(cp1.engine);
      await waitForEvents(d, "progress", 2);
      await cp1.engine.say("F");
      const [ticket] = await waitForEvents(d, "ticket", 1, 15_000);
      assert.equal(ticket.partial, true);
      assert.ok(Number(ticket.kwh) > 0);
      assert.equal((await d.done).code, 0);
      await cp1.engine.say("R");
      await net.waitState("CP1", "available", 5_000);
      assert.equal((await net.sessionsOf("D7")).length, 1);
    });

    await t.step("Central's stop mid-supply ends it with its ticket", async () => {
      const d = await net.driver("D8", ["--cp", "CP1"]);
      await waitForEvents(d, "authorized");
      await plugIn(cp1.engine);
      await waitForEvents(d, "progress", 2);
      await net.fetch("POST", "/api/cps/CP1/stop");
      const [ticket] = await waitForEvents(d, "ticket", 1, 15_000);
      assert.ok(Number(ticket.kwh) > 0);
      assert.equal((await d.done).code, 0);
      await net.waitState("CP1", "stopped", 5_000);
      await net.fetch("POST", "/api/cps/CP1/resume");
      await net.waitState("CP1", "available", 5_000);
    });
  },
);

Deno.test(
  "supply: Central killed mid-supply, restarted: the ticket arrives exactly once",
  flow,
  async () => {
    await using net = await startNetwork();
    const cp = await net.addCp("CP1");
    await net.waitState("CP1", "available");
    const d = await net.driver("D1", ["--cp", "CP1"]);
    await waitForEvents(d, "authorized");
    await plugIn(cp.engine);
    await waitForEvents(d, "progress", 2);
    await net.central.kill();
    await new Promise((r) => setTimeout(r, 2000));
    await cp.engine.say("E");
    await new Promise((r) => setTimeout(r, 1000));
    await net.startCentral();
    assert.equal((await d.done).code, 0, d.lines.join("\n"));
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(driverEvents(d).filter((e) => e.type === "ticket").length, 1);
    const stored = await net.sessionsOf("D1");
    assert.equal(stored.length, 1);
    assert.equal(stored[0].status, "ended");
    await net.waitState("CP1", "available");
  },
);

Deno.test("supply: a file of 10 requests runs unattended to 10 outcomes", flow, async () => {
  await using net = await startNetwork();
  await net.addCp("CP1", undefined, ["--auto-plug", "0.3", "--auto-unplug", "1.2"]);
  await net.waitState("CP1", "available");
  const file = `${net.dir}/requests.txt`;
  await Deno.writeTextFile(file, ["CP1", "CP1", "NOPE", ...Array(7).fill("CP1")].join("\n"));
  const d = await net.driver("D1", ["--file", file]);
  assert.equal((await d.done).code, 0, d.lines.slice(-5).join("\n"));
  const all = driverEvents(d);
  assert.equal(all.filter((e) => e.type === "ticket").length, 9);
  assert.equal(all.filter((e) => e.type === "denied").length, 1);
  // 4 s between an outcome and the next request
  const times = all.filter((e) => ["ticket", "denied", "sent"].includes(e.type)).map((e) => ({
    type: e.type,
    at: Date.parse(String(e.at)),
  }));
  for (let i = 1; i < times.length; i++) {
    if (times[i].type === "sent") {
      assert.ok(times[i].at - times[i - 1].at >= 3900, JSON.stringify(times));
    }
  }
});
