/**
 * Overload is not a fault (BRIEF §4), with the real fleet simulator: a part of the fleet whose
 * process is stopped (SIGSTOP: its event loop is late by the whole pause) reports no fault when it
 * resumes. Stopped for 2 s (longer than a health check's deadline, shorter than Central's silence
 * limit) nothing changes anywhere; stopped for 9 s its Monitors are silent to Central, which shows
 * them disconnected (true: no sign of life) — but never faulted, and they come back by themselves;
 * the CPs of the other part never change.
 */
import assert from "node:assert/strict";
import { startNetwork } from "./support/network.ts";
import { waitFor } from "./support/programs.ts";
import { type CpView, pauseProcess, watchStates } from "./support/states_seen.ts";

const flow = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "fleet: a simulator made late (SIGSTOP of a part) reports no false fault",
  flow,
  async () => {
    await using net = await startNetwork();
    const n = 30;
    const sim = await net.run("sim", [
      "--cps",
      String(n),
      "--workers",
      "2",
      "--charge",
      "86400",
      "--every",
      "2",
      "--prefix",
      "FL",
      "--json",
      "--api",
      `http://127.0.0.1:${net.httpPort}`,
      "--central",
      `127.0.0.1:${net.cpPort}`,
    ]);
    const pids = (await sim.waitForLine(/parts run as processes/, 60_000)).match(/\d+/g)!.map(
      Number,
    );
    assert.equal(pids.length, 2);
    const views = async () =>
      (await (await net.fetch("GET", "/api/cps")).json() as CpView[]).filter((v) =>
        v.id.startsWith("FL-")
      );
    await waitFor("every CP charging", async () => {
      const all = await views();
      return all.length === n && all.every((v) => v.state === "charging");
    }, 90_000);
    // the first part holds every other CP (FL-0001, FL-0003, …)
    const inA = (id: string) => Number(id.slice(3)) % 2 === 1;
    const { seen, stop } = watchStates(views);
    const pause = (ms: number) => pauseProcess(pids[0], ms);
    try {
      await pause(2_000);
      await new Promise((r) => setTimeout(r, 5_000)); // reports, checks and their deadlines resume
      for (const [id, states] of seen) {
        assert.deepEqual(
          [...states],
          ["charging"],
          `${id} after 2 s late`,
        );
      }

      await pause(9_000);
      await waitFor("the late part's CPs back", async () => {
        const all = await views();
        return all.every((v) => v.state === "charging" || v.state === "available");
      }, 60_000);
      await new Promise((r) => setTimeout(r, 3_000));
    } finally {
      await stop();
    }
    for (const [id, states] of seen) {
      assert.ok(!states.has("faulted"), `${id} was shown faulted: ${[...states]}`);
      if (!inA(id)) assert.deepEqual([...states], ["charging"], `${id} (not stopped) changed`);
    }
    assert.ok(
      [...seen].some(([id, states]) => inA(id) && states.has("disconnected")),
      "the stopped part's Monitors were silent for 9 s: Central showed them disconnected",
    );
    await sim.stop();
    const summary = JSON.parse(sim.stdout.at(-1) ?? "{}");
    assert.equal(summary.faults.monitorFalseKo, 0, "no Monitor reported its Engine KO");
    assert.equal(summary.faults.uninjectedFaulted, 0, "Central showed no CP faulted");
    assert.equal(summary.duplicateTickets, 0);
  },
);

Deno.test(
  "fleet: Ctrl+C in a terminal (the simulator and its parts signalled) counts no fault",
  flow,
  async () => {
    await using net = await startNetwork();
    const sim = await net.run("sim", [
      ...["--cps", "20", "--workers", "2", "--charge", "86400", "--prefix", "CC", "--json"],
      ...["--api", `http://127.0.0.1:${net.httpPort}`, "--central", `127.0.0.1:${net.cpPort}`],
    ]);
    const parts = (await sim.waitForLine(/parts run as processes/, 60_000)).match(/\d+/g)!
      .map(Number);
    await sim.waitForLine(/Central shows 20 charging/, 90_000);
    // as a terminal does: every process of the group at once
    for (const pid of [sim.pid, ...parts]) Deno.kill(pid, "SIGINT");
    await sim.done;
    const final = JSON.parse(sim.stdout.findLast((l) => l.startsWith("{"))!);
    // its parts used to die at once, and it counted their 20 CPs disconnected by nobody
    assert.equal(final.faults.uninjectedDisconnected, 0, JSON.stringify(final.faults));
    assert.equal(final.faults.uninjectedFaulted, 0, JSON.stringify(final.faults));
  },
);
