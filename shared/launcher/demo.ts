/**
 * `deno task demo`: a complete local network on one machine — a Kafka broker (reused when one
 * answers), Central with its embedded database, three CPs that plug and unplug by themselves,
 * and two drivers running files of requests — and the dashboard's address. Ctrl+C stops it all.
 *
 * @module
 */
import { loadConfig, parsePort, type ProgramSpec, runMain } from "../config.ts";
import { DATA_DIR, KAFKA } from "../settings.ts";
import { probeBroker } from "../kafka/client.ts";
import { onShutdown, SAME_CTRL_C_MS } from "../shutdown.ts";
import { sleepOn, timers } from "../scheduler.ts";
import { Children, failureOf, waitForLog } from "./children.ts";

const SPEC = {
  usage: "deno task demo [--http 8080] [--port 7000]",
  summary: "Starts a complete local network (Kafka, database, Central, 3 CPs, 2 drivers) and " +
    "prints the dashboard's address. Ctrl+C stops everything it started.",
  settings: {
    kafka: KAFKA,
    http: {
      env: "EV_HTTP_PORT",
      default: "8080",
      help: "Central's HTTP port (dashboard)",
      placeholder: "PORT",
    },
    port: {
      env: "EV_CENTRAL_PORT",
      default: "7000",
      help: "Central's socket port",
      placeholder: "PORT",
    },
    "data-dir": { ...DATA_DIR, default: "./data/demo" },
    token: {
      env: "EV_OPERATOR_TOKEN",
      help: "operator token (none: generated)",
      placeholder: "TOKEN",
    },
  },
} satisfies ProgramSpec<string>;

const CPS = [
  { id: "ALC1", location: "Alicante Centro", price: 0.35, power: "22" },
  { id: "ALC2", location: "Alicante Puerto", price: 0.32, power: "11" },
  { id: "MAD1", location: "Madrid Atocha", price: 0.40, power: "50" },
];
/** Each driver works through a file of requests, round the CPs (one CP id in it is unknown). */
const DRIVERS = [
  { id: "DRV-101", requests: Array.from({ length: 12 }, (_, i) => CPS[i % 3].id) },
  {
    id: "DRV-202",
    requests: [...Array.from({ length: 10 }, (_, i) => CPS[(i + 2) % 3].id), "NOPE"],
  },
];

const say = (text: string) => console.log(`demo: ${text}`);

runMain(async () => {
  const cfg = loadConfig(SPEC);
  const v = cfg.values;
  const http = parsePort(v.http!, "http");
  const port = parsePort(v.port!, "port");
  const dataDir = v["data-dir"]!;
  const logs = `${dataDir}/logs`;
  const token = v.token ?? crypto.randomUUID().replaceAll("-", "");
  const children = new Children(logs);
  const env = {
    EV_KAFKA: v.kafka!,
    EV_DATA_DIR: dataDir,
    EV_HTTP_PORT: String(http),
    EV_CENTRAL_PORT: String(port),
    EV_CENTRAL: `127.0.0.1:${port}`,
    EV_OPERATOR_TOKEN: token,
  };
  // Ctrl+C ends the wait between two summaries at once (it used to wait out up to 5 s of it)
  const stop = new AbortController();
  // A second one kills what is left (it used to end the demo alone, its programs running on).
  // One Ctrl+C comes twice: the terminal signals the whole group, and `deno task` passes its own
  // on; so only a signal a while after the first is a second Ctrl+C.
  let firstAt = 0;
  const offSignals = onShutdown(() => {
    if (!stop.signal.aborted) {
      firstAt = performance.now();
      stop.abort();
    } else if (performance.now() - firstAt > SAME_CTRL_C_MS) children.killAll();
  });
  try {
    if (await probeBroker(v.kafka!, 3000)) say(`using the Kafka broker at ${v.kafka}`);
    else {
      say(`starting a Kafka broker at ${v.kafka} (the first time downloads its jars with Maven)…`);
      const kafka = await children.start("kafka", "kafka", [
        "--kafka",
        v.kafka!,
        "--kafka-data",
        `${dataDir}/kafka`,
      ]);
      if (!await waitForLog(kafka, /broker ready|reusing/, 300_000)) {
        throw new Error(`Kafka did not start: ${await failureOf(kafka)} (log: ${kafka.log})`);
      }
    }
    say("starting Central (the first start creates its database)…");
    const central = await children.start("central", "central", [], env);
    if (!await waitForLog(central, /dashboard: /, 120_000)) {
      throw new Error(`Central did not start: ${await failureOf(central)} (log: ${central.log})`);
    }
    for (const cp of CPS) await enroll(http, token, cp);
    for (const [i, cp] of CPS.entries()) {
      const enginePort = String(port + 100 + i);
      await children.start(`engine-${cp.id}`, "engine", [
        "--id",
        cp.id,
        "--port",
        enginePort,
        "--max-kw",
        cp.power,
        "--auto-plug",
        "2",
        "--auto-unplug",
        "10",
      ], env);
      await children.start(`monitor-${cp.id}`, "monitor", [
        "--id",
        cp.id,
        "--secret",
        `demo-${cp.id}`,
        "--engine",
        `127.0.0.1:${enginePort}`,
      ], env);
    }
    await new Promise((r) => setTimeout(r, 2000));
    for (const d of DRIVERS) {
      const file = `${dataDir}/${d.id}.txt`;
      await Deno.writeTextFile(file, d.requests.join("\n") + "\n");
      await children.start(`driver-${d.id}`, "driver", ["--id", d.id, "--file", file], env);
    }
    say(
      `running. Dashboard: http://127.0.0.1:${http}/#token=${token}   (operator token: ${token})`,
    );
    say(`logs in ${logs}/. Ctrl+C stops everything.`);
    while (!stop.signal.aborted) {
      await sleepOn(timers, 5000, stop.signal);
      if (!stop.signal.aborted) say(await summary(http));
    }
  } finally {
    say("stopping… (Ctrl+C again kills what is left)");
    await children.stopAll();
    offSignals();
  }
  return 0;
});

async function enroll(http: number, token: string, cp: (typeof CPS)[number]): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${http}/api/cps`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      id: cp.id,
      location: cp.location,
      pricePerKwh: cp.price,
      secret: `demo-${cp.id}`,
    }),
  });
  await res.body?.cancel();
  if (res.status !== 201 && res.status !== 409) {
    throw new Error(`enrolling ${cp.id}: HTTP ${res.status}`);
  }
}

/** CPs the progress line names one by one; beyond, it counts them by state. */
const MAX_LISTED = 8;

async function summary(http: number): Promise<string> {
  try {
    const cps = await (await fetch(`http://127.0.0.1:${http}/api/cps`)).json() as Array<
      { id: string; state: string; driverId?: string }
    >;
    if (cps.length <= MAX_LISTED) {
      return cps.map((c) => `${c.id} ${c.state}${c.driverId ? ` (${c.driverId})` : ""}`)
        .join(" | ");
    }
    // a simulated fleet joined the demo: its line stays one line, by state
    const byState = new Map<string, number>();
    for (const c of cps) byState.set(c.state, (byState.get(c.state) ?? 0) + 1);
    return `${cps.length} CPs: ${[...byState].map(([state, n]) => `${n} ${state}`).join(", ")}`;
  } catch {
    return "Central does not answer";
  }
}
