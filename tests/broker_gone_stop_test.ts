/**
 * Ctrl+C while the Kafka broker is gone (or was never there): every program still stops by
 * itself, in seconds, and says so; none waits for a broker that does not answer (nor leaves a
 * process behind for a second signal or a kill to end). Runs on a broker of its own.
 */
import assert from "node:assert/strict";
import { freePort, type Program, start } from "./support/programs.ts";
import { startNetwork } from "./support/network.ts";
import { OwnBroker, supplyUnderWay } from "./support/own_broker.ts";

/** Whether it ended within `ms` of being asked (else the test's cleanup kills it). */
async function endsWithin(p: Program, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.done.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test({
  name: "Ctrl+C with the broker gone: Central, Engine, Monitor and driver each stop by themselves",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using broker = await OwnBroker.start();
    await using net = await startNetwork({ kafka: broker.bootstrap });
    const { cp, d } = await supplyUnderWay(net);

    await broker.stop();
    // long enough for every client to have found the broker gone and be retrying
    await net.central.waitForLine(/ECONNREFUSED/, 60_000);
    await new Promise((r) => setTimeout(r, 5_000));

    const programs = [d, cp.engine, cp.monitor, net.central];
    for (const p of programs) p.interrupt();
    const ended = await Promise.all(programs.map((p) => endsWithin(p, 30_000)));
    const stuck = programs.filter((_, i) => !ended[i]).map((p) =>
      `${p.name} (last: ${p.lines.slice(-2).join(" | ")})`
    );
    assert.deepEqual(stuck, [], `still running 30 s after Ctrl+C: ${stuck.join("; ")}`);
    for (const p of [cp.engine, cp.monitor, net.central]) {
      assert.ok(
        p.lines.some((l) => /stopped \(SIGINT\)/.test(l)),
        `${p.name} did not say it stopped: ${p.lines.slice(-3).join(" | ")}`,
      );
    }
    assert.equal(d.exited?.code, 130, "a driver stopped by Ctrl+C exits 130");
  },
});

Deno.test({
  name: "no broker ever there: Central and Engine say so; Ctrl+C stops them and a driver at once",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ev-kafka-never-" });
    // nothing listens there: every Kafka client keeps trying to connect
    const env = {
      EV_KAFKA: `127.0.0.1:${freePort()}`,
      EV_DATA_DIR: dir,
      EV_TOPIC_PREFIX: "never.",
    };
    const programs = [
      await start("central", [
        "--no-panel",
        "--port",
        String(freePort()),
        "--http",
        String(freePort()),
      ], env),
      await start("engine", ["--id", "CP1", "--port", String(freePort()), "--no-panel"], env),
      await start("driver", ["--id", "D1", "--cp", "CP1", "--json"], env),
    ];
    try {
      // each says in its own words what it waits for (they used to print kafkajs's errors only)
      const waiting = new RegExp(`waiting for Kafka at ${env.EV_KAFKA.replaceAll(".", "\\.")}`);
      await programs[0].waitForLine(waiting, 60_000);
      await programs[1].waitForLine(waiting, 60_000);
      for (const p of programs) p.interrupt();
      const ended = await Promise.all(programs.map((p) => endsWithin(p, 30_000)));
      const stuck = programs.filter((_, i) => !ended[i]).map((p) => p.name);
      // they used to wait for a connect that only ends when a broker answers
      assert.deepEqual(stuck, [], `still running 30 s after Ctrl+C: ${stuck.join(", ")}`);
    } finally {
      await Promise.all(programs.map((p) => p.stop()));
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "no broker ever there: a driver asking for a charge says so, and gives up after --timeout",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const kafka = `127.0.0.1:${freePort()}`;
    await using d = await start(
      "driver",
      ["--id", "D1", "--cp", "CP1", "--json", "--timeout", "8"],
      {
        EV_KAFKA: kafka,
      },
    );
    // it used to wait for ever, printing nothing of its own
    assert.ok(await endsWithin(d, 60_000), "still waiting 60 s later");
    assert.equal(d.exited?.code, 1, d.lines.slice(-3).join("\n"));
    assert.ok(
      d.lines.some((l) => l.includes(`waiting for Kafka at ${kafka}`)),
      "it did not say so",
    );
    const events = d.stdout.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    assert.equal(events.at(-1)?.type, "error");
    assert.equal(events.at(-1).cp, "CP1", "the error names the CP asked for");
    assert.match(events.at(-1).message, /Kafka/);
  },
});
