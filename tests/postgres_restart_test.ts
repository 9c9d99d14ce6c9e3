/**
 * The PostgreSQL server restarts under a running Central: Central reconnects by itself and loses
 * nothing it had acknowledged (an enrolment, an operator order, a supply and its ticket). Runs
 * where the test may restart the local server (root, Debian's pg_ctlcluster, no DATABASE_URL).
 */
import assert from "node:assert/strict";
import { plugIn, startNetwork, waitForEvents } from "./support/network.ts";
import { freePort, waitFor } from "./support/programs.ts";

function canRestartPostgres(): string | undefined {
  try {
    if (Deno.env.get("DATABASE_URL") || Deno.uid() !== 0) return undefined;
    const versions = [...Deno.readDirSync("/etc/postgresql")].map((e) => e.name);
    return versions.length === 1 ? versions[0] : undefined;
  } catch {
    return undefined;
  }
}

const version = canRestartPostgres();

async function restartPostgres(): Promise<void> {
  const out = await new Deno.Command("pg_ctlcluster", {
    args: ["--skip-systemctl-redirect", version!, "main", "restart", "-m", "fast"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
}

Deno.test({
  name: "PostgreSQL restarts under Central: it reconnects, nothing acknowledged is lost",
  ignore: !version,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using net = await startNetwork();
    assert.ok(net.env.DATABASE_URL, "the test network runs on the local server");
    const cp = await net.addCp("CP1");
    await net.waitState("CP1", "available");
    const d = await net.driver("D1", ["--cp", "CP1"]);
    await waitForEvents(d, "authorized");
    await plugIn(cp.engine);
    await waitForEvents(d, "progress");

    await restartPostgres();
    // acknowledged after the restart: an enrolment and an order
    // (a first try may meet the server still starting: 500, nothing stored; 409 means stored)
    const enrol = { id: "CP2", location: "Lab", pricePerKwh: 0.3, secret: "s2" };
    await waitFor("an enrolment after the restart", async () => {
      const status = (await net.fetch("POST", "/api/cps", enrol)).status;
      return status === 201 || status === 409;
    });
    assert.equal((await net.fetch("POST", "/api/cps/CP2/stop")).status, 200);
    await cp.engine.say("E");
    assert.equal((await d.done).code, 0);

    // a Central started afresh finds all of it in the database
    await net.central.kill();
    await net.startCentral();
    const sessions = await net.sessionsOf("D1");
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0].status, "ended");
    // CP2, enrolled and stopped while the server restarted, comes up stopped
    const port = freePort();
    await net.startEngine("CP2", port);
    await net.startMonitor("CP2", "s2", port);
    await net.waitState("CP2", "stopped");
    await net.waitState("CP1", "available");
  },
});
