/**
 * `deno task sim`: the fleet simulator. Many CPs (a real Engine and Monitor each, over real
 * sockets) spread over a few processes, and their drivers, against a running Central: for demos,
 * load and fault tests. It enrolls its CPs through Central's API, prints progress every few
 * seconds (CPs by state, messages/s, end-to-end and request → answer times, faults, its own
 * lateness), and a summary at the end (`--json`: one JSON line).
 *
 * @module
 */
import {
  loadConfig,
  type NumberRange,
  parseHostPorts,
  parseNumber,
  type ProgramSpec,
  runMain,
} from "../../shared/config.ts";
import { CENTRAL, DATA_DIR, KAFKA, RANGES, TOPIC_PREFIX } from "../../shared/settings.ts";
import { setLogSink } from "../../shared/log.ts";
import { holdWhileStopping, onShutdown } from "../../shared/shutdown.ts";
import { sleep } from "../../shared/backoff.ts";
import { keptToken } from "../../shared/operator_token_file.ts";
import { LoopLag } from "../../shared/loop_lag.ts";
import { defaultWorkers, Fleet } from "./fleet.ts";
import { localPart, PART_MODE_ENV } from "./parts.ts";
import { simSecret } from "./part.ts";
import { SimDrivers } from "./drivers.ts";
import { E2eProbe } from "./e2e.ts";
import { FaultInjector } from "./faults.ts";
import { NetworkWatch } from "./watch.ts";
import { Probe } from "./probe.ts";
import { enrollAll } from "./enroll.ts";
import { progressLine, type Run, summary } from "./report.ts";
import { runPart } from "./part_main.ts";
import { drain, type DrainFigures } from "./drain.ts";

const SPEC = {
  usage: "deno task sim [--cps 10] [--drivers 10] [--duration S] [--workers W] [--json]",
  summary: "Fleet simulator: many CPs (Engine + Monitor each) and drivers in a few processes, " +
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
    workers: {
      help: "child processes the CPs are spread over (0: all in this one; default: fitted " +
        "to the machine's cores and open-files limit)",
      placeholder: "W",
    },
    "start-rate": { default: "500", help: "CPs started per second", placeholder: "N" },
    "fault-rate": {
      default: "0",
      help: "Engine faults injected per second over the fleet (KO, then recovery)",
      placeholder: "F",
    },
    "fault-seconds": { default: "3", help: "how long an injected fault lasts", placeholder: "S" },
    probe: {
      default: "0",
      help: "extra drivers asking at this rate (open loop), each at a CP of its own: " +
        "request → authorization under the load",
      placeholder: "PER_S",
    },
    warmup: {
      default: "0",
      help: "figures (end-to-end, answers, probe) count from when every CP charges, or this " +
        "many seconds after the start (0: from the start)",
      placeholder: "S",
    },
    settle: {
      default: "0",
      help: "once every CP charges, seconds more before the figures count (the start's burst " +
        "of supplies written and relayed: a steady state)",
      placeholder: "S",
    },
    measure: {
      help: "stop this many seconds after the figures started counting",
      placeholder: "S",
    },
    every: { default: "5", help: "seconds between progress lines", placeholder: "S" },
    drain: {
      boolean: true,
      help: "at the end, unplug every car and ask no more, then wait (3 minutes at most) until " +
        "every supply has its ticket and Central shows every CP available: the load drops",
    },
    json: { boolean: true, help: "print the final figures as one JSON line on stdout" },
  },
} satisfies ProgramSpec<string>;

if (Deno.env.get(PART_MODE_ENV) === "1") {
  Deno.exit(await runPart());
}

runMain(async () => {
  const cfg = loadConfig(SPEC);
  const v = cfg.values;
  /** The range each numeric flag is checked against (a count, a rate, seconds, kW). */
  const RANGE: Record<string, NumberRange> = {
    cps: RANGES.count,
    drivers: RANGES.countOrNone,
    workers: RANGES.countOrNone,
    "max-kw": RANGES.kw,
    duration: RANGES.durationSeconds,
    probe: { min: 0, max: 10_000, unit: "requests per second" },
    "fault-rate": { min: 0, max: 10_000, unit: "faults per second" },
    "start-rate": { min: 1, max: 100_000, unit: "CPs per second" },
  };
  const num = (name: keyof typeof v) => parseNumber(v[name]!, name, RANGE[name] ?? RANGES.seconds);
  const n = Math.floor(num("cps"));
  const m = v.drivers === undefined ? n : Math.floor(num("drivers"));
  const api = v.api ?? `http://127.0.0.1:${Deno.env.get("EV_HTTP_PORT") ?? "8080"}`;
  const token = v.token ?? await keptToken(v["data-dir"]!) ?? "";
  const width = Math.max(4, String(Math.max(n, m)).length);
  const name = (p: string, i: number) => `${p}-${String(i + 1).padStart(width, "0")}`;
  const ids = Array.from({ length: n }, (_, i) => name(v.prefix!, i));
  const probeRate = num("probe");
  const probeIds = Array.from(
    { length: probeRate > 0 ? Math.max(4, Math.ceil(probeRate * 6)) : 0 },
    (_, i) => name(`${v.prefix}Q`, i),
  );
  const workers = v.workers === undefined ? defaultWorkers(n) : Math.floor(num("workers"));
  const say = (text: string) => console.error(`sim: ${text}`);
  // a fleet's own news would flood the screen: only warnings and errors, and the progress lines
  setLogSink((line, level) => level !== "info" && level !== "debug" && console.error(line));

  say(`enrolling ${n + probeIds.length} CPs through ${api}…`);
  await enrollAll(api, token, [...ids, ...probeIds], simSecret);
  const lag = new LoopLag({ io: true });
  const e2e = new E2eProbe();
  const common = {
    brokers: v.kafka!,
    topicPrefix: v["topic-prefix"]!,
    central: parseHostPorts(v.central!, "central"),
    maxKw: num("max-kw"),
  };
  const drivers = new SimDrivers({
    brokers: v.kafka!,
    topicPrefix: v["topic-prefix"]!,
    timeout: 60 + num("charge"),
    onProgress: (s, kwh, at, relayedAt) => e2e.received(s, kwh, at, relayedAt),
  });
  const onProgressSent = (s: string, kwh: number, at: number, acked: number) =>
    e2e.sent(s, kwh, at, acked);
  const injector = new FaultInjector({
    ids,
    rate: num("fault-rate"),
    seconds: num("fault-seconds"),
    fail: (id, s) => fleet.fail(id, s),
  });
  const all = new Set([...ids, ...probeIds]);
  const watch = new NetworkWatch({
    ...common,
    mine: (id) => all.has(id),
    injected: (id, at) => injector.wasInjected(id, at),
  });
  await watch.start();
  await drivers.start(); // following their notifications before any request
  say(`starting ${n} CPs in ${workers === 0 ? "this process" : `${workers} processes`}…`);
  const fleet = new Fleet({
    ...common,
    ids,
    workers,
    startRate: num("start-rate"),
    autoPlug: num("plug"),
    autoUnplug: num("charge"),
    onProgressSent,
    cpuProfDir: Deno.env.get("EV_SIM_CPU_PROF") || undefined,
  });
  const pids = fleet.parts.map((p) => p.pid).filter((p) => p !== undefined);
  if (pids.length) say(`parts run as processes ${pids.join(", ")}`);
  const probeCps = probeIds.length === 0 ? undefined : localPart(
    { ...common, ids: probeIds, startRate: 100, autoPlug: 0.2, autoUnplug: 1 },
    onProgressSent,
  );
  const probe = new Probe({
    drivers,
    cps: probeIds,
    driverPrefix: `${v.prefix}P`,
    rate: probeRate,
  });
  let stopped = false;
  const off = onShutdown(() => (stopped = true));
  const started = Date.now();
  const run: Run = {
    n,
    m,
    workers,
    started,
    measuringSince: undefined,
    fleet,
    drivers,
    e2e,
    probe,
    injector,
    watch,
    lag,
    worstPartLagMs: 0,
  };
  let measured: ReturnType<typeof summary> & { drain?: DrainFigures } | undefined;
  const warmup = num("warmup") * 1000;
  const settle = num("settle") * 1000;
  let allChargingAt: number | undefined;
  const measure = v.measure === undefined ? Infinity : num("measure") * 1000;
  const end = v.duration ? started + num("duration") * 1000 : Infinity;
  // a progress line every `--every` s, from the start (a big fleet's start and registrations
  // take minutes)
  let shown = Date.now();
  const showProgressWhenDue = () => {
    if (stopped || Date.now() - shown < num("every") * 1000) return;
    shown = Date.now();
    say(progressLine(run));
  };
  const showingProgress = async (done: () => boolean, until = Infinity) => {
    while (!stopped && !done() && Date.now() < until) {
      await sleep(200);
      showProgressWhenDue();
    }
  };
  try {
    const allStarted = Promise.all([fleet.started, probeCps?.started]);
    let startedYet = false;
    allStarted.then(() => (startedYet = true), () => (startedYet = true));
    await showingProgress(() => startedYet);
    await allStarted; // a start that failed throws here
    // the drivers ask once the CPs are registered, as Central shows them (a Monitor's AUTH is
    // answered before its link reaches the CP's owner: a request in between is a denial)
    const registering = Date.now() + 60_000 + n * 10;
    const registered = () => Math.min(fleet.figures().registered, watch.registered(ids));
    await showingProgress(() => registered() >= n, registering);
    say(`${n} CPs started, ${registered()} registered; drivers asking`);
    drivers.loop(
      new Map(Array.from({ length: m }, (_, i) => [name(`${v.prefix}D`, i), ids[i % n]])),
      num("pause"),
    );
    probe.start();
    injector.start();
    if (warmup === 0) run.measuringSince = started;
    while (!stopped && Date.now() < end) {
      const now = Date.now();
      if (run.measuringSince !== undefined && now >= run.measuringSince + measure) break;
      await sleep(1_000);
      const f = fleet.figures();
      run.worstPartLagMs = Math.max(run.worstPartLagMs, f.lagMaxMs);
      if (f.charging >= n) allChargingAt ??= now;
      const settled = allChargingAt !== undefined && now >= allChargingAt + settle;
      if (run.measuringSince === undefined && (settled || now >= started + warmup)) {
        run.measuringSince = Date.now();
        run.sentAtMeasure = f.sent;
        e2e.reset();
        drivers.answers.reset();
        probe.reset();
        say(`measuring (${f.charging}/${n} CPs charging)`);
      }
      showProgressWhenDue();
    }
    measured = summary(run);
    if (cfg.flags.drain && !stopped) {
      say("draining: every car unplugged, the drivers ask no more");
      injector.stop();
      probe.stop();
      const drained = await drain({
        fleet,
        drivers,
        watch,
        ids,
        limitS: 180,
        stopped: () => stopped,
      });
      say(`drained: ${JSON.stringify(drained)}`);
      measured = { ...measured, drain: drained };
    }
  } finally {
    off();
    holdWhileStopping();
    say("stopping…");
    watch.stopCounting();
    injector.stop();
    probe.stop();
    const last = measured ?? summary(run);
    await drivers.stop();
    await fleet.stop();
    await probeCps?.stop();
    await watch.stop();
    e2e.close();
    lag.close();
    say(`done: ${JSON.stringify(last)}`);
    if (cfg.flags.json) console.log(JSON.stringify(last));
  }
  return 0;
});
