/**
 * The load drops (`deno task sim --drain`): once the figures are taken every car is unplugged and
 * the drivers ask no more; every supply ends with exactly one ticket at its own driver, and
 * Central shows every CP available again, by itself.
 */
import assert from "node:assert/strict";
import { startNetwork } from "./support/network.ts";

const flow = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "fleet: when the load drops every supply gets its ticket and every CP is available",
  flow,
  async () => {
    await using net = await startNetwork();
    const n = 12;
    const sim = await net.run("sim", [
      ...["--cps", String(n), "--workers", "2", "--charge", "86400", "--prefix", "DR"],
      ...["--warmup", "60", "--measure", "3", "--every", "2", "--drain", "--json"],
      ...["--api", `http://127.0.0.1:${net.httpPort}`, "--central", `127.0.0.1:${net.cpPort}`],
    ]);
    assert.equal((await sim.done).code, 0);
    const summary = JSON.parse(sim.stdout.at(-1) ?? "{}");
    assert.equal(summary.charging, n, "every CP charged before the load dropped");
    const drain = summary.drain;
    assert.ok(drain, `a drain was reported: ${sim.stdout.at(-1)}`);
    assert.notEqual(drain.suppliesOverS, null, "every driver's supply ended");
    assert.equal(drain.tickets, n, "one ticket per supply that ended");
    assert.equal(drain.timeouts, 0);
    assert.equal(summary.duplicateTickets, 0);
    assert.notEqual(drain.availableS, null, "Central showed every CP available");
    assert.equal(drain.available, n);
    assert.equal(drain.uninjectedFaults, 0, "no CP shown faulted or disconnected meanwhile");
  },
);
