/**
 * `deno task sim`: the fleet simulator. Many CPs (a real Engine and Monitor each) and drivers in
 * one process, against a running Central: for demos, load and fault tests. It enrolls its CPs
 * through Central's API, prints progress every few seconds, and a summary at the end.
 *
 * @module
 */
import {
  loadConfig,
  parseHostPorts,
  parseNumber,
  type ProgramSpec,
  runMain,
} from "../../shared/config.ts";
import { CENTRAL, DATA_DIR, KAFKA, RANGES, TOPIC_PREFIX } from "../../shared/settings.ts";
import { setLogSink } from "../../shared/log.ts";
import { onShutdown } from "../../shared/shutdown.ts";
import { sleep } from "../../shared/backoff.ts";
import { keptToken } from "../../shared/operator_token_file.ts";
import { Fleet } from "./fleet.ts";
import { percentile, SimDrivers } from "./drivers.ts";

const SPEC = {
  usage: "deno task sim [--cps 10] [--drivers 10] [--duration S]",
  summary: "Fleet simulator: many CPs (Engine + Monitor each) and drivers in one process, " +
    "against a running Central. Enrolls its CPs through Central's API.",
  settings: {
    cps: { default: "10", help: "how many CPs", placeholder: "N" },
    drivers: { help: "how many drivers (default: one per CP)", placeholder: "N" },
    prefix: {
      default: "SIM",
      help: "CP ids are PREFIX-0001…, drivers PREFIXD-0001…",
      placeholder: "TEXT",
    },
    kafka: KAFKA,
    "topic-prefix": TOPIC_PREFIX,
    central: CENTRAL,
    api: {
      env: "EV_CENTRAL_API",
      help: "Central's HTTP address (default http://127.0.0.1:<EV_HTTP_PORT or 8080>)",
      placeholder: "URL",
    },
    token: {
      env: "EV_OPERATOR_TOKEN",
      help: "operator token (default: the one Central keeps in --data-dir)",
      placeholder: "TOKEN",
    },
    "data-dir": DATA_DIR,
    "max-kw": { default: "22", help: "each CP's largest power, kW", placeholder: "KW" },
    plug: { default: "1", help: "seconds from authorization to plugging in", placeholder: "S" },
    charge: { default: "20", help: "seconds of supply before unplugging", placeholder: "S" },
    pause: { default: "4", help: "seconds a driver waits between supplies", placeholder: "S" },
    duration: { help: "stop after this many seconds (default: Ctrl+C)", placeholder: "S" },
    json: { boolean: true, help: "print the final figures as one JSON line on stdout" },
  },
} satisfies ProgramSpec<string>;

runMain(async () => {
  const cfg = loadConfig(SPEC);
  const v = cfg.values;
  const n = parseNumber(v.cps!, "cps", RANGES.count);
  const m = v.drivers === undefined ? n : parseNumber(v.drivers, "drivers", RANGES.countOrNone);
  const api = v.api ?? `http://127.0.0.1:${Deno.env.get("EV_HTTP_PORT") ?? "8080"}`;
  const token = v.token ?? await keptToken(v["data-dir"]!) ?? "";
  const pad = String(Math.max(n, m)).length < 4 ? 4 : String(Math.max(n, m)).length;
  const ids = Array.from(
    { length: n },
    (_, i) => `${v.prefix}-${String(i + 1).padStart(pad, "0")}`,
  );
  const secretOf = (id: string) => `sim-secret-${id}`;
  const say = (text: string) => console.error(`sim: ${text}`);
  // a fleet's own news would flood the screen: only warnings and errors, and the progress lines
  setLogSink((line, level) => level !== "info" && level !== "debug" && console.error(line));

  say(`enrolling ${n} CPs through ${api}…`);
  await enrollAll(api, token, ids, secretOf);
  const fleet = new Fleet({
    ids,
    secretOf,
    brokers: v.kafka!,
    topicPrefix: v["topic-prefix"]!,
    central: parseHostPorts(v.central!, "central"),
    maxKw: parseNumber(v["max-kw"]!, "max-kw", RANGES.kw),
    autoPlug: parseNumber(v.plug!, "plug", RANGES.seconds),
    autoUnplug: parseNumber(v.charge!, "charge", RANGES.seconds),
  });
  const plan = new Map(
    Array.from(
      { length: m },
      (_, i) => [`${v.prefix}D-${String(i + 1).padStart(pad, "0")}`, ids[i % n]],
    ),
  );
  const drivers = new SimDrivers({
    plan,
    brokers: v.kafka!,
    topicPrefix: v["topic-prefix"]!,
    pause: parseNumber(v.pause!, "pause", RANGES.seconds),
    timeout: 60 + parseNumber(v.charge!, "charge", RANGES.seconds),
  });
  let stopped = false;
  const off = onShutdown(() => (stopped = true));
  const started = Date.now();
  try {
    await fleet.start((k) => say(`${k}/${n} CPs started`));
    say(`${n} CPs started; waiting for them to register…`);
    await drivers.start();
    const end = v.duration
      ? started + parseNumber(v.duration, "duration", RANGES.durationSeconds) * 1000
      : Infinity;
    while (!stopped && Date.now() < end) {
      await sleep(Math.min(5000, Math.max(0, end - Date.now())));
      if (!stopped) say(progress(fleet, drivers));
    }
  } finally {
    off();
    say("stopping…");
    await drivers.stop();
    await fleet.stop();
  }
  const f = drivers.figures;
  const summary = {
    cps: n,
    drivers: m,
    seconds: Math.round((Date.now() - started) / 1000),
    requests: f.requests,
    authorized: f.authorized,
    denied: f.denied,
    tickets: f.tickets,
    timeouts: f.timeouts,
    answerMsP50: round(percentile(f.latencies, 50)),
    answerMsP99: round(percentile(f.latencies, 99)),
  };
  say(`done: ${JSON.stringify(summary)}`);
  if (cfg.flags.json) console.log(JSON.stringify(summary));
  return 0;
});

function progress(fleet: Fleet, drivers: SimDrivers): string {
  const { registered, charging } = fleet.counts();
  const f = drivers.figures;
  return `CPs ${registered}/${fleet.cps.size} registered, ${charging} charging | ` +
    `requests ${f.requests}, authorized ${f.authorized}, denied ${f.denied}, tickets ${f.tickets}, timeouts ${f.timeouts} | ` +
    `request→answer p50 ${round(percentile(f.latencies, 50))} ms, p99 ${
      round(percentile(f.latencies, 99))
    } ms`;
}

async function enrollAll(
  api: string,
  token: string,
  ids: string[],
  secretOf: (id: string) => string,
): Promise<void> {
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(
      ids.slice(i, i + 50).map(async (id) => {
        const res = await fetch(`${api}/api/cps`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({
            id,
            location: `Simulated ${id}`,
            pricePerKwh: 0.3,
            secret: secretOf(id),
          }),
        });
        await res.body?.cancel();
        if (res.status === 401) {
          throw new Error("Central refused the operator token (give --token or EV_OPERATOR_TOKEN)");
        }
        if (res.status !== 201 && res.status !== 409) {
          throw new Error(`enrolling ${id}: HTTP ${res.status}`);
        }
      }),
    );
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
