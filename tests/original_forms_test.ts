/**
 * The commands of the earlier implementations (the seeds' READMEs), run unchanged with `deno task
 * <program>` in place of `python <program>`, their `.env` exported as those READMEs do (`export
 * $(grep -v '^#' .env | xargs)`: here, the environment the programs get): the Engine's positional
 * forms (one without an id learns it from its Monitor), the earlier flag and environment
 * spellings, and the earlier keys (`INIT`, `END`, `k` at the Engine, `P <cp>` at Central).
 */
import assert from "node:assert/strict";
import {
  driverEvents,
  plugIn,
  startNetwork,
  type TestNetwork,
  waitForEvents,
} from "./support/network.ts";
import { freePort, type Program, waitFor } from "./support/programs.ts";

const flow = { sanitizeOps: false, sanitizeResources: false };

/** What a seed's `.env` gives every program: the broker (their name for it) and the CP's secret. */
function seedEnv(net: TestNetwork, secret: string): Record<string, string | undefined> {
  return { EV_KAFKA: undefined, KAFKA_BOOTSTRAP_SERVERS: net.env.EV_KAFKA, EV_CP_SECRET: secret };
}

/** A driver asks for `cp` (with `--json` added for the test to read), plugged and unplugged by keys. */
async function supplyByKeys(net: TestNetwork, engine: Program, cp: string, driver: Program) {
  await waitForEvents(driver, "authorized", 1, 30_000);
  await plugIn(engine, "INIT");
  await waitForEvents(driver, "progress", 2, 20_000);
  await engine.say("END");
  const [ticket] = await waitForEvents(driver, "ticket", 1, 20_000);
  assert.ok(Number(ticket.kwh) > 0);
  assert.equal((await driver.done).code, 0);
  await net.waitState(cp, "available", 10_000);
}

Deno.test("original forms: the seeds' commands run unchanged", flow, async (t) => {
  await using net = await startNetwork();
  const central = `127.0.0.1:${net.cpPort}`;
  const kafka = net.env.EV_KAFKA;

  await t.step(
    "Engine `<broker> <host:port>` without an id learns it from its Monitor `<engine> <central> <id>`",
    async () => {
      await net.enroll("MAD-02", "s-mad-02");
      const port = freePort();
      const engine = await net.run(
        "engine",
        [kafka, `0.0.0.0:${port}`, "--no-panel"],
        {},
        "engine MAD-02",
      );
      await engine.waitForLine(/no CP id given: waiting/, 30_000);
      await net.run(
        "monitor",
        [`127.0.0.1:${port}`, central, "MAD-02", "--no-panel"],
        { EV_CP_SECRET: "s-mad-02" },
        "monitor MAD-02",
      );
      await engine.waitForLine(/its Monitor says this is CP MAD-02/, 30_000);
      await net.waitState("MAD-02", "available", 30_000);
      const d = await net.driver("D-201", ["--cp", "MAD-02"]);
      await supplyByKeys(net, engine, "MAD-02", d);
    },
  );

  await t.step(
    "ev_cp_e.py `<port> <broker> <id>`; keys INIT, END and k (KO)",
    async () => {
      await net.enroll("MAD-01", "s-mad-01");
      const port = freePort();
      const engine = await net.run(
        "engine",
        [String(port), kafka, "MAD-01", "--no-panel"],
        {},
        "engine MAD-01",
      );
      await engine.waitForLine(/listening for its Monitor/, 30_000);
      await net.run("monitor", [`127.0.0.1:${port}`, central, "MAD-01", "--no-panel"], {
        EV_CP_SECRET: "s-mad-01",
      }, "monitor MAD-01");
      await net.waitState("MAD-01", "available", 30_000);
      await engine.say("k");
      await net.waitState("MAD-01", "faulted", 10_000);
      await engine.say("r");
      await net.waitState("MAD-01", "available", 10_000);
    },
  );

  await t.step(
    "Release 1 README: --id/--host/--port, --engine-host/--central-port…, --driver-id",
    async () => {
      await net.enroll("CP-001", "s-cp-001");
      const env = seedEnv(net, "s-cp-001");
      const port = freePort();
      // python -m evcharging.cp_engine --id CP-001 --kafka ${KAFKA_BOOTSTRAP_SERVERS} --host 0.0.0.0 --port 7100
      const engine = await net.run(
        "engine",
        [
          "--id",
          "CP-001",
          "--kafka",
          kafka,
          "--host",
          "0.0.0.0",
          "--port",
          String(port),
          "--no-panel",
        ],
        env,
        "engine CP-001",
      );
      await engine.waitForLine(/listening for its Monitor/, 30_000);
      // python -m evcharging.cp_monitor --id CP-001 --engine-host <IP_ENGINE> --engine-port 7100
      //   --central-host <IP_CENTRAL> --central-port 7000 --kafka ${KAFKA_BOOTSTRAP_SERVERS}
      const monitor = await net.run(
        "monitor",
        [
          "--id",
          "CP-001",
          "--engine-host",
          "127.0.0.1",
          "--engine-port",
          String(port),
          "--central-host",
          "127.0.0.1",
          "--central-port",
          String(net.cpPort),
          "--kafka",
          kafka,
          "--no-panel",
        ],
        env,
        "monitor CP-001",
      );
      await net.waitState("CP-001", "available", 30_000);
      assert.ok(monitor.lines.some((l) => /--kafka is ignored/.test(l)), monitor.lines.join("\n"));
      // python -m evcharging.driver --driver-id D-001 --cp CP-001 --kafka ${KAFKA_BOOTSTRAP_SERVERS}
      const d = await net.run(
        "driver",
        ["--driver-id", "D-001", "--cp", "CP-001", "--kafka", kafka, "--json"],
        env,
        "driver D-001",
      );
      await supplyByKeys(net, engine, "CP-001", d);
      // the broker from KAFKA_BOOTSTRAP_SERVERS alone
      const d2 = await net.run(
        "driver",
        ["--driver-id", "D-002", "--cp", "CP-001", "--json"],
        env,
        "driver D-002",
      );
      await supplyByKeys(net, engine, "CP-001", d2);
    },
  );

  await t.step(
    "EV_CP_E README: --cp-id --location --max-power --tariff --health-port --kafka-broker; EV_CP_M --cp-id --engine-port",
    async () => {
      await net.enroll("CP_001", "s-cp_001");
      const port = freePort();
      const engine = await net.run(
        "engine",
        [
          "--cp-id",
          "CP_001",
          "--location",
          "Parking Norte - Plaza 5",
          "--max-power",
          "50.0",
          "--tariff",
          "0.35",
          "--health-port",
          String(port),
          "--kafka-broker",
          kafka,
          "--no-panel",
        ],
        {},
        "engine CP_001",
      );
      await engine.waitForLine(/listening for its Monitor/, 30_000);
      await net.run("monitor", ["--cp-id", "CP_001", "--engine-port", String(port), "--no-panel"], {
        EV_CENTRAL: central,
        EV_CP_SECRET: "s-cp_001",
      }, "monitor CP_001");
      await net.waitState("CP_001", "available", 30_000);
      const cp = (await net.json<{ location: string }>("GET", "/api/cps/CP_001")).body;
      assert.equal(cp.location, "Parking Norte - Plaza 5");
    },
  );

  await t.step(
    "Central `--port --kafka --mongo` (mongo ignored, said so); `P <cp>` and `R <cp>`",
    async () => {
      await net.central.stop();
      const c = await net.startCentral([
        "--port",
        String(net.cpPort),
        "--kafka",
        kafka,
        "--mongo",
        "mongodb://127.0.0.1:27017",
      ]);
      assert.ok(c.lines.some((l) => /--mongo is ignored/.test(l)), c.lines.join("\n"));
      await net.waitState("CP-001", "available", 30_000);
      await c.say("P CP-001");
      await net.waitState("CP-001", "stopped", 10_000);
      await c.say("r CP-001");
      await net.waitState("CP-001", "available", 10_000);
    },
  );

  await t.step(
    "Driver `<broker> <driver id>`: a CP id typed in asks for a charge there",
    async () => {
      const d = await net.run("driver", [kafka, "D-003", "--no-panel"], {}, "driver D-003");
      await waitFor("the driver to connect", () => d.lines.length > 0 || undefined, 30_000).catch(
        () => {},
      );
      await d.say("CP-001");
      await d.waitForLine(/CP-001: authorized/, 30_000);
      assert.equal(driverEvents(d).length, 0); // text, not JSON
    },
  );
});
