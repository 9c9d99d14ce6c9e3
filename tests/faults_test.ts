/**
 * Failure is normal (BRIEF §4): a silent Monitor, an Engine or a Monitor dying mid-supply, a
 * driver dying mid-supply, Central away — each takes away only its own service, and every supply
 * ends with exactly one ticket, to the right driver.
 */
import assert from "node:assert/strict";
import {
  driverEvents,
  plugIn,
  startNetwork,
  type TestNetwork,
  waitForEvents,
} from "./support/network.ts";
import { type Program, waitFor } from "./support/programs.ts";

const flow = { sanitizeOps: false, sanitizeResources: false };

/** A supply in progress at `cp` for a new driver `id`. */
async function charging(net: TestNetwork, cp: { id: string; engine: Program }, id: string) {
  await net.waitState(cp.id, "available");
  const d = await net.driver(id, ["--cp", cp.id]);
  await waitForEvents(d, "authorized");
  await plugIn(cp.engine);
  await waitForEvents(d, "progress", 2);
  return d;
}

Deno.test(
  "faults: a silent Monitor shows its CP disconnected; it comes back by itself",
  flow,
  async () => {
    await using net = await startNetwork();
    const cp = await net.addCp("CP1");
    await net.waitState("CP1", "available");
    Deno.kill(cp.monitor.pid, "SIGSTOP"); // alive, connected, and silent
    try {
      await net.waitState("CP1", "disconnected", 15_000);
    } finally {
      Deno.kill(cp.monitor.pid, "SIGCONT");
    }
    await net.waitState("CP1", "available", 30_000);
  },
);

Deno.test(
  "faults: an Engine killed mid-supply gives one partial ticket; restarted, it is back",
  flow,
  async () => {
    await using net = await startNetwork();
    const cp = await net.addCp("CP1");
    const d = await charging(net, cp, "D1");
    await cp.engine.kill();
    await net.waitState("CP1", "faulted", 10_000);
    const [ticket] = await waitForEvents(d, "ticket", 1, 20_000);
    assert.equal(ticket.partial, true);
    assert.ok(Number(ticket.kwh) > 0, "energy supplied is not lost");
    assert.equal((await d.done).code, 0);
    cp.engine = await net.startEngine("CP1", cp.enginePort);
    await net.waitState("CP1", "available");
    await new Promise((r) => setTimeout(r, 2000)); // the restarted Engine reports its interrupted supply
    const stored = await net.sessionsOf("D1");
    assert.equal(stored.length, 1);
    assert.equal(stored[0].status, "ended");
    assert.equal(driverEvents(d).filter((e) => e.type === "ticket").length, 1);
  },
);

Deno.test(
  "faults: a Monitor killed mid-supply: ticket, no new supply there until it is back",
  flow,
  async () => {
    await using net = await startNetwork();
    const cp = await net.addCp("CP1");
    const d = await charging(net, cp, "D1");
    await cp.monitor.kill();
    await net.waitState("CP1", "disconnected", 10_000);
    const [ticket] = await waitForEvents(d, "ticket", 1, 20_000);
    assert.equal(ticket.partial, true);
    const refused = await net.driver("D2", ["--cp", "CP1"]);
    assert.equal((await refused.done).code, 2);
    await cp.engine.say("REQUEST D3");
    await cp.engine.waitForLine(/Central cannot be reached: no new supply/);
    cp.monitor = await net.startMonitor("CP1", cp.secret, cp.enginePort);
    await net.waitState("CP1", "available");
    assert.equal((await net.sessionsOf("D1")).length, 1);
    assert.equal((await net.sessionsOf("D3")).length, 0);
  },
);

Deno.test(
  "faults: a driver killed mid-supply: the supply goes on; started again, it gets the ticket",
  flow,
  async () => {
    await using net = await startNetwork();
    const cp = await net.addCp("CP1");
    const first = await charging(net, cp, "D1");
    await first.kill();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await net.state("CP1"), "charging");
    const again = await net.driver("D1", ["--cp", "CP1"]);
    await waitForEvents(again, "progress", 1);
    await cp.engine.say("E");
    assert.equal((await again.done).code, 0, again.lines.slice(-5).join("\n"));
    const tickets = driverEvents(again).filter((e) => e.type === "ticket");
    assert.equal(tickets.length, 1);
    assert.equal(tickets[0].partial, false);
    assert.equal((await net.sessionsOf("D1")).length, 1);
  },
);

Deno.test(
  "faults: a supply asked for at the CP goes through Central; none while Central is away",
  flow,
  async () => {
    await using net = await startNetwork();
    const cp = await net.addCp("CP1");
    await net.waitState("CP1", "available");
    await cp.engine.say("REQUEST D9");
    await net.waitState("CP1", "reserved", 15_000);
    await plugIn(cp.engine);
    await net.waitState("CP1", "charging");
    await cp.engine.say("E");
    await waitFor("D9's ticket", async () => (await net.sessionsOf("D9"))[0]?.status === "ended");

    const watcher = await net.driver("D5", ["--cp", "CP1", "--timeout", "300"]);
    await waitForEvents(watcher, "authorized");
    await net.central.kill();
    await watcher.waitForLine(/cannot reach Central/, 20_000);
    await cp.engine.waitForLine(/Central cannot be reached/, 10_000);
    await cp.engine.say("REQUEST D6");
    await cp.engine.waitForLine(/no new supply now/);
    await net.startCentral();
    await net.waitState("CP1", "reserved"); // D5's reservation, restored
    await plugIn(cp.engine);
    await waitForEvents(watcher, "progress");
    await cp.engine.say("E");
    assert.equal((await watcher.done).code, 0);
    assert.equal((await net.sessionsOf("D6")).length, 0);
  },
);
