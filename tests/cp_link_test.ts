/**
 * The CP link, end to end with the real programs over real sockets: registration and refusals,
 * health-checked states, process deaths, a Central restart, operator orders, garbage survived.
 */
import assert from "node:assert/strict";
import { startNetwork } from "./support/network.ts";
import { waitFor } from "./support/programs.ts";
import { sendGarbage } from "./support/garbage.ts";

const flow = { sanitizeOps: false, sanitizeResources: false };

Deno.test("CP link: register, faults, deaths, restart, orders", flow, async (t) => {
  await using net = await startNetwork();
  const cp1 = await net.addCp("CP1");

  await t.step("an enrolled CP with the right secret registers → available", async () => {
    await net.waitState("CP1", "available");
  });

  await t.step(
    "a wrong secret or an unknown CP is refused with a reason, no state change",
    async () => {
      const wrong = await net.startMonitor("CP1", "not-the-secret", cp1.enginePort);
      await wrong.waitForLine(/refused CP1: wrong secret/);
      const rogue = await net.startMonitor("CP9", "whatever", cp1.enginePort);
      await rogue.waitForLine(/refused CP9: unknown CP/);
      assert.equal(await net.state("CP1"), "available");
      assert.equal((await net.fetch("GET", "/api/cps/CP9")).status, 404);
      await net.central.waitForLine(/registration of CP9 .* refused: unknown CP/);
      await wrong.stop();
      await rogue.stop();
    },
  );

  await t.step("the Engine's KO key faults the CP; recovery brings it back", async () => {
    await cp1.engine.say("F");
    await net.waitState("CP1", "faulted", 10_000);
    await cp1.engine.say("recover");
    await net.waitState("CP1", "available", 10_000);
  });

  await t.step(
    "a killed Engine faults the CP; restarted on the same port, it is back",
    async () => {
      await cp1.engine.kill();
      await net.waitState("CP1", "faulted", 10_000);
      cp1.engine = await net.startEngine("CP1", cp1.enginePort);
      await net.waitState("CP1", "available");
    },
  );

  await t.step("a killed Monitor shows the CP disconnected; restarted, it is back", async () => {
    await cp1.monitor.kill();
    await net.waitState("CP1", "disconnected", 10_000);
    cp1.monitor = await net.startMonitor("CP1", cp1.secret, cp1.enginePort);
    await net.waitState("CP1", "available");
  });

  await t.step("operator orders to one CP and to all are acknowledged", async () => {
    const cp2 = await net.addCp("CP2");
    await net.waitState("CP2", "available");
    assert.equal((await net.fetch("POST", "/api/cps/CP1/stop")).status, 200);
    await net.waitState("CP1", "stopped", 5_000);
    await net.central.waitForLine(/CP1: stop acknowledged/);
    assert.equal(await net.state("CP2"), "available");
    assert.equal((await net.fetch("POST", "/api/cps/CP1/resume")).status, 200);
    await net.waitState("CP1", "available", 5_000);
    assert.equal((await net.fetch("POST", "/api/cps/stop")).status, 200);
    await net.waitState("CP1", "stopped", 5_000);
    await net.waitState("CP2", "stopped", 5_000);
    await net.central.waitForLine(/CP2: stop acknowledged/);
    await net.central.say("RESUME ALL");
    await net.waitState("CP1", "available", 5_000);
    await net.waitState("CP2", "available", 5_000);
    await cp2.monitor.stop();
    await cp2.engine.stop();
  });

  await t.step(
    "Central restarted: Monitors reconnect by themselves, states come back",
    async () => {
      await net.fetch("POST", "/api/cps/CP1/stop");
      await net.waitState("CP1", "stopped", 5_000);
      await net.central.kill();
      await net.startCentral();
      // CP2's Monitor is gone: it is shown disconnected; CP1 comes back still stopped
      await net.waitState("CP2", "disconnected");
      await net.waitState("CP1", "stopped");
      await net.central.say("RESUME CP1");
      await net.waitState("CP1", "available", 5_000);
    },
  );
});

Deno.test(
  "CP link: 1,000 garbage connections leave Central and the Engine serving",
  flow,
  async () => {
    await using net = await startNetwork();
    const cp = await net.addCp("CP1");
    await net.waitState("CP1", "available");
    for (const port of [net.cpPort, cp.enginePort]) {
      const report = await sendGarbage(port, 500);
      assert.equal(report.sent, 500);
      // every bad connection got a NACK or was closed (never silently accepted)
      assert.ok(report.answered + report.closed >= 450, JSON.stringify(report));
    }
    assert.equal(cp.engine.exited, undefined, "the Engine died");
    assert.equal(net.central.exited, undefined, "Central died");
    assert.equal((await net.fetch("GET", "/healthz")).status, 200);
    // the good Monitor is still served: its CP stays available and answers an order
    await waitFor(
      "CP1 available after the garbage",
      async () => (await net.state("CP1")) === "available",
    );
    assert.equal((await net.fetch("POST", "/api/cps/CP1/stop")).status, 200);
    await net.waitState("CP1", "stopped", 5_000);
  },
);
