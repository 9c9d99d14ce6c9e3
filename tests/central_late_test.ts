/**
 * Overload is not a fault (BRIEF §4), seen from Central's side: Central stopped for 12 s (SIGSTOP:
 * its event loop late by the whole pause, its sockets and consumers silent) while a small fleet
 * charges. Once it runs again it must not take its own pause for the CPs' silence: no CP is shown
 * faulted or disconnected, no supply ends. The pause is longer than a Monitor's patience with a
 * silent Central (8 s): the Monitors register again on new connections, keeping the silent ones
 * until Central answers, so nothing changes for their CPs.
 */
import assert from "node:assert/strict";
import { startNetwork } from "./support/network.ts";
import { waitFor } from "./support/programs.ts";
import { type CpView, pauseProcess, watchStates } from "./support/states_seen.ts";

const flow = { sanitizeOps: false, sanitizeResources: false };

Deno.test("a Central made late (stopped for 12 s) reports no false fault", flow, async () => {
  await using net = await startNetwork();
  const n = 20;
  const sim = await net.run("sim", [
    "--cps",
    String(n),
    "--charge",
    "86400",
    "--every",
    "2",
    "--prefix",
    "CL",
    "--json",
    "--api",
    `http://127.0.0.1:${net.httpPort}`,
    "--central",
    `127.0.0.1:${net.cpPort}`,
  ]);
  const views = async () =>
    (await (await net.fetch("GET", "/api/cps")).json() as CpView[]).filter((v) =>
      v.id.startsWith("CL-")
    );
  await waitFor("every CP charging", async () => {
    const all = await views();
    return all.length === n && all.every((v) => v.state === "charging");
  }, 90_000);

  const { seen, stop } = watchStates(views);
  try {
    await pauseProcess(net.central.pid, 12_000);
    // Central's deadlines, the Monitors' reports and the backlog of telemetry all resume
    await new Promise((r) => setTimeout(r, 8_000));
  } finally {
    await stop();
  }
  assert.equal(seen.size, n);
  for (const [id, states] of seen) {
    assert.deepEqual(
      [...states],
      ["charging"],
      `${id} changed while Central was late: ${[...states]}`,
    );
  }
  await sim.stop();
  const summary = JSON.parse(sim.stdout.at(-1) ?? "{}");
  assert.equal(summary.faults.uninjectedFaulted, 0, "no CP shown faulted");
  assert.equal(summary.faults.uninjectedDisconnected, 0, "no CP shown disconnected");
  assert.equal(summary.faults.centralLinksLost, 0, "no Monitor showed Central lost");
  assert.equal(summary.duplicateTickets, 0);
});
