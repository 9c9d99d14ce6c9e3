/**
 * The Kafka broker restarts in the middle of a supply: every program reconnects by itself, the
 * supply goes on, nothing published is lost, and its ticket arrives exactly once. Runs on a broker
 * of its own (OwnBroker), so the shared one is untouched.
 */
import assert from "node:assert/strict";
import { driverEvents, plugIn, startNetwork, waitForEvents } from "./support/network.ts";
import { OwnBroker, supplyUnderWay } from "./support/own_broker.ts";

Deno.test({
  name: "broker restart mid-supply: everyone reconnects, one ticket",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using broker = await OwnBroker.start();
    await using net = await startNetwork({ kafka: broker.bootstrap });
    const { cp, d } = await supplyUnderWay(net);

    await broker.stop();
    await new Promise((r) => setTimeout(r, 3000));
    await broker.restart();
    const seen = driverEvents(d).filter((e) => e.type === "progress").length;
    // telemetry flows again through the restarted broker, to the same driver
    await waitForEvents(d, "progress", seen + 2, 60_000);
    await cp.engine.say("E");
    assert.equal((await d.done).code, 0, d.lines.slice(-5).join("\n"));
    assert.equal(driverEvents(d).filter((e) => e.type === "ticket").length, 1);
    const sessions = await net.sessionsOf("D1");
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0].status, "ended");

    // and a new supply goes through as before
    await net.waitState("CP1", "available");
    const d2 = await net.driver("D2", ["--cp", "CP1"]);
    await waitForEvents(d2, "authorized", 1, 30_000);
    await plugIn(cp.engine);
    await waitForEvents(d2, "progress");
    await cp.engine.say("E");
    assert.equal((await d2.done).code, 0);
  },
});
