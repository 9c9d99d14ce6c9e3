/**
 * A three-broker Kafka cluster, started as a user would (`deno task kafka -- --nodes 3` on free
 * ports of the test's own): topics are replicated 3 times with 2 in sync, and killing the broker
 * that coordinates every consumer group mid-supply loses nothing: the supply goes on, its driver
 * gets exactly one ticket, and the next supply works with a broker down. Needs Java 17+ (and
 * Maven the first time); about 40 s.
 */
import assert from "node:assert/strict";
import { freePorts } from "../shared/kafka/broker_net.ts";
import { createKafka } from "../shared/kafka/client.ts";
import { topicNames } from "../shared/topics.ts";
import { driverEvents, plugIn, startNetwork, waitForEvents } from "./support/network.ts";
import { type Program, start, waitFor } from "./support/programs.ts";

const flow = { sanitizeOps: false, sanitizeResources: false };

/** Whether process `pid` still runs. */
function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

Deno.test("kafka cluster of 3: a broker killed mid-supply loses nothing", flow, async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "ev-kafka3-" });
  const base = freePorts(3);
  let kafka: Program | undefined;
  let pids: number[] = [];
  try {
    const started = performance.now();
    kafka = await start("kafka", [
      "--",
      "--nodes",
      "3",
      "--kafka",
      `127.0.0.1:${base}`,
      "--kafka-data",
      dataDir,
      "--no-docker",
    ]);
    const pidLine = await kafka.waitForLine(/starting Kafka .*java pid/, 120_000);
    pids = [...pidLine.matchAll(/java pid (\d+)/g)].map((m) => Number(m[1]));
    assert.equal(pids.length, 3, pidLine);
    const ready = await kafka.waitForLine(/broker ready: a cluster of 3/, 120_000);
    console.log(`3-broker cluster ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const bootstrap = [0, 1, 2].map((i) => `127.0.0.1:${base + i}`).join(",");
    assert.ok(ready.includes(bootstrap), ready);

    await using net = await startNetwork({ kafka: bootstrap });
    const admin = createKafka({
      brokers: bootstrap,
      clientId: "cluster-test",
      retries: 5,
      silent: true,
    }).admin();
    await admin.connect();
    let coordinator: number;
    try {
      const topics = topicNames(net.env.EV_TOPIC_PREFIX);
      // Central makes its topics once it reaches Kafka (its API answers before)
      const meta = await waitFor("Central's topics", async () => {
        return (await admin.fetchTopicMetadata({ topics: [topics.telemetry] })).topics;
      });
      assert.ok(meta[0].partitions.every((p) => p.replicas.length === 3), JSON.stringify(meta));
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: topics.telemetry, configNames: ["min.insync.replicas"] }],
      });
      assert.equal(configs.resources[0].configEntries[0].configValue, "2");
      // every group's coordinator (the offsets topic is made when Central's groups first join)
      coordinator = await waitFor("the consumer groups' coordinator", async () => {
        const offsets = await admin.fetchTopicMetadata({ topics: ["__consumer_offsets"] });
        return offsets.topics[0].partitions[0]?.leader;
      });
    } finally {
      await admin.disconnect();
    }

    const cp = await net.addCp("CP1");
    await net.waitState("CP1", "available", 30_000);
    const d1 = await net.driver("D1", ["--cp", "CP1"]);
    await waitForEvents(d1, "authorized", 1, 30_000);
    await plugIn(cp.engine);
    const before = (await waitForEvents(d1, "progress", 2, 20_000)).length;

    Deno.kill(pids[coordinator - 1], "SIGKILL");
    await kafka.waitForLine(new RegExp(`broker ${coordinator} .* exited by itself`), 10_000);
    // the supply goes on: its progress keeps reaching the driver
    await waitForEvents(d1, "progress", before + 5, 60_000);
    await cp.engine.say("E");
    assert.equal((await d1.done).code, 0, d1.lines.slice(-5).join("\n"));
    const tickets = driverEvents(d1).filter((e) => e.type === "ticket");
    assert.equal(tickets.length, 1);
    const last = driverEvents(d1).filter((e) => e.type === "progress").at(-1)!;
    assert.ok(Number(tickets[0].kwh) >= Number(last.kwh) - 1e-9, JSON.stringify({ tickets, last }));
    const stored = await net.sessionsOf("D1");
    assert.equal(stored.length, 1);
    assert.equal(stored[0].kwh, tickets[0].kwh);
    await net.waitState("CP1", "available", 20_000);

    // every program carries on: the next supply, with one broker down
    const d2 = await net.driver("D2", ["--cp", "CP1"]);
    await waitForEvents(d2, "authorized", 1, 30_000);
    await plugIn(cp.engine);
    await waitForEvents(d2, "progress", 2, 20_000);
    await cp.engine.say("E");
    assert.equal((await d2.done).code, 0);
    assert.equal(driverEvents(d2).filter((e) => e.type === "ticket").length, 1);
    assert.equal((await net.sessionsOf("D1")).length, 1);
  } finally {
    await kafka?.stop();
    for (const pid of pids) {
      if (!alive(pid)) continue;
      Deno.kill(pid, "SIGKILL");
      await waitFor(`java ${pid} to end`, () => !alive(pid), 10_000).catch(() => {});
    }
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
