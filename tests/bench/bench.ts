/**
 * `deno task bench`: measures the quality bars of BRIEF §8 that one machine can measure, with the
 * real programs, broker and database, and writes the figures (with the machine, the date and the
 * commit) to `bench/results/<date>-<commit>.json`, then prints a one-line summary.
 *
 * - Engine KO key → CP faulted on Central (p50/p99 over repeated KO/recover)
 * - Engine process killed → CP faulted on Central, and its restart on the same port
 * - driver request → answer (authorized/denied), idle, measured by simulated drivers, and two
 *   Kafka hops alone on that broker: the floor under it (`kafka_floor.ts`)
 * - a Central instance killed → its CPs served by another (with a PostgreSQL server)
 * - the fleet ladder: 1,000 / 2,000 / 5,000 / 10,000 CPs charging at once, on the embedded
 *   database and on the PostgreSQL server (`fleet.ts`), and the largest N that holds every bar
 *
 * `--short` (or `EV_BENCH_SHORT=1`): only a short fleet step (200 CPs, 10 s measured, on the
 * embedded database), for CI. `--fleet`: only the ladder. `--steps 1000,2000`, `--db embedded|postgres`,
 * `--measure S`: another ladder. `--profile DIR`: CPU profiles of Central and the simulator
 * (`deno run --cpu-prof`) of every step, under DIR.
 *
 * @module
 */
import {
  ConfigError,
  loadConfig,
  parseNumber,
  type ProgramSpec,
  runMain,
} from "../../shared/config.ts";
import { RANGES } from "../../shared/settings.ts";
import { startNetwork } from "../support/network.ts";
import { measureKafkaFloor } from "./kafka_floor.ts";
import { start } from "../support/programs.ts";
import { percentile } from "../../cp/sim/drivers.ts";
import { findPostgresServer } from "../support/postgres.ts";
import { measureTakeover } from "./takeover.ts";
import { type FleetStep, runLadder } from "./fleet.ts";

const SPEC = {
  usage: "deno task bench [--short] [--fleet] [--steps 1000,2000] [--db embedded|postgres]",
  summary: "Measures BRIEF §8's quality bars with the real programs, broker and database, and " +
    "writes the figures to bench/results/<date>-<commit>.json. Needs a Kafka broker " +
    "(EV_KAFKA, default 127.0.0.1:9092); uses a PostgreSQL server when one answers.",
  settings: {
    short: {
      boolean: true,
      env: "EV_BENCH_SHORT",
      help: "only a short fleet step (200 CPs, 10 s, embedded database): for CI",
    },
    fleet: { boolean: true, help: "only the fleet ladder (not the single-CP bars)" },
    steps: { help: "the ladder's fleet sizes (default 1000,2000,5000,10000)", placeholder: "N,N" },
    db: { help: "embedded or postgres (default: both when a server answers)", placeholder: "DB" },
    measure: { help: "seconds measured per step (default 30; 10 with --short)", placeholder: "S" },
    profile: {
      help: "write CPU profiles of Central and the simulator under DIR",
      placeholder: "DIR",
    },
  },
} satisfies ProgramSpec<string>;

/** The bench's options, checked: a bad one is a one-line error, not a stack trace. */
function options() {
  const cfg = loadConfig(SPEC);
  const short = cfg.flags.short;
  const given = cfg.values.db;
  if (given !== undefined && given !== "embedded" && given !== "postgres") {
    throw new ConfigError(`'db' must be embedded or postgres, got '${given}'`);
  }
  const db: FleetStep["db"] | undefined = given;
  const steps = cfg.values.steps?.split(",").map((v) =>
    parseNumber(v, "steps", { min: 1, max: 100_000, integer: true, unit: "CPs" })
  );
  const measure = cfg.values.measure === undefined
    ? (short ? 10 : 30)
    : parseNumber(cfg.values.measure, "measure", RANGES.durationSeconds);
  return { short, fleet: cfg.flags.fleet, db, steps, measure, profile: cfg.values.profile };
}

const ROUNDS = Number(Deno.env.get("EV_BENCH_ROUNDS") ?? 20);
const say = (text: string) => console.error(`bench: ${text}`);

/** The bars of the single-CP measurements, the idle request → answer and the take-over. */
async function measureBars(figures: Record<string, number>): Promise<void> {
  /** Polls Central until the CP shows `state`; returns the ms it took from `since`. */
  async function timeUntil(
    state: () => Promise<string>,
    want: string,
    since: number,
    timeoutMs = 10_000,
  ): Promise<number> {
    while (performance.now() - since < timeoutMs) {
      if (await state() === want) return performance.now() - since;
      await new Promise((r) => setTimeout(r, 5));
    }
    return NaN;
  }

  const stats = (name: string, values: number[]) => {
    const ok = values.filter((v) => !Number.isNaN(v));
    figures[`${name}P50Ms`] = Math.round(percentile(ok, 50));
    figures[`${name}P99Ms`] = Math.round(percentile(ok, 99));
    figures[`${name}Missed`] = values.length - ok.length;
  };

  {
    await using net = await startNetwork();
    const cp = await net.addCp("B1");
    await net.waitState("B1", "available");
    const state = () => net.state("B1");

    say(`KO key → faulted, ${ROUNDS} rounds`);
    const ko: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // a random moment within the Monitor's 1 s check cycle
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 1000));
      const t0 = performance.now();
      await cp.engine.say("F");
      ko.push(await timeUntil(state, "faulted", t0));
      await cp.engine.say("R");
      await timeUntil(state, "available", performance.now());
    }
    stats("koKeyToFaulted", ko);

    say(`engine killed → faulted, restarted on the same port, ${Math.ceil(ROUNDS / 2)} rounds`);
    const killed: number[] = [];
    const restart: number[] = [];
    for (let i = 0; i < Math.ceil(ROUNDS / 2); i++) {
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 1000));
      const t0 = performance.now();
      await cp.engine.kill();
      killed.push(await timeUntil(state, "faulted", t0));
      const t1 = performance.now();
      cp.engine = await net.startEngine("B1", cp.enginePort);
      restart.push(await timeUntil(state, "available", t1, 30_000));
    }
    stats("engineKilledToFaulted", killed);
    stats("engineRestartToAvailable", restart);

    say("driver request → answer, idle (20 simulated drivers for 60 s)");
    const sim = await start(
      "sim",
      [
        "--cps",
        "20",
        "--duration",
        "60", // ~300 requests: the p99 is not the second-worst of a handful
        "--charge",
        "2",
        "--pause",
        "1",
        "--prefix",
        "BS",
        "--json",
        "--api",
        `http://127.0.0.1:${net.httpPort}`,
        "--central",
        `127.0.0.1:${net.cpPort}`,
      ],
      net.env,
      "sim",
    );
    await sim.done;
    const result = JSON.parse(sim.stdout.at(-1) ?? "{}");
    figures.requestToAnswerIdleP50Ms = result.answerMsP50;
    figures.requestToAnswerIdleP99Ms = result.answerMsP99;
    figures.idleRequests = result.requests;

    // what the broker and the clients give on that path with nothing else: two hops
    say("two Kafka hops alone, idle (the floor under the request → answer above)");
    const floor = await measureKafkaFloor(net.env.EV_KAFKA);
    figures.kafkaTwoHopsIdleP50Ms = floor.p50Ms;
    figures.kafkaTwoHopsIdleP99Ms = floor.p99Ms;
  }

  if (await findPostgresServer()) {
    const rounds = Number(Deno.env.get("EV_BENCH_TAKEOVER_ROUNDS") ?? 3);
    say(`Central instance killed → its CPs served by another, ${rounds} rounds`);
    const takeovers = await measureTakeover(rounds, say);
    figures.takeoverOwnedMaxMs = Math.max(...takeovers.map((t) => t.ownedAllMs));
    figures.takeoverServedP50Ms = Math.round(percentile(takeovers.map((t) => t.servedMs), 50));
    figures.takeoverServedMaxMs = Math.max(...takeovers.map((t) => t.servedMs));
    figures.takeoverInterrupted = takeovers.reduce((n, t) => n + t.interrupted, 0);
  } else say("no PostgreSQL server: the take-over of a killed instance is not measured");
}

runMain(async () => {
  const flags = options();
  const figures: Record<string, number> = {};
  const server = await findPostgresServer();
  const dbs: FleetStep["db"][] = flags.db
    ? [flags.db]
    : server && !flags.short
    ? ["embedded", "postgres"]
    : ["embedded"];
  const steps = flags.steps ?? (flags.short ? [200] : [1_000, 2_000, 5_000, 10_000]);
  const measureS = flags.measure;
  if (!flags.short && !flags.fleet) await measureBars(figures);
  const fleet = await runLadder({ steps, dbs, measureS, profileDir: flags.profile }, say);

  const git = async (...args: string[]) =>
    new TextDecoder().decode(
      (await new Deno.Command("git", { args, stdout: "piped", stderr: "null" }).output()).stdout,
    ).trim();
  // figures of code that is not committed say so: they are not that commit's
  const dirty = (await git("status", "--porcelain", "--untracked-files=no")) !== "";
  const commit = (await git("rev-parse", "--short", "HEAD")) + (dirty ? "-dirty" : "");
  const machine = {
    os: Deno.build.os,
    arch: Deno.build.arch,
    cpus: navigator.hardwareConcurrency,
    memoryGiB: Math.round(Deno.systemMemoryInfo().total / 2 ** 30),
    deno: Deno.version.deno,
  };
  const date = new Date().toISOString();
  const mode = flags.short ? "short" : flags.fleet ? "fleet" : "full";
  const out = new URL(
    `../../bench/results/${date.slice(0, 19).replaceAll(":", "")}-${commit}${
      mode === "full" ? "" : `-${mode}`
    }.json`,
    import.meta.url,
  );
  await Deno.mkdir(new URL(".", out), { recursive: true });
  await Deno.writeTextFile(
    out,
    JSON.stringify({ date, commit, machine, mode, rounds: ROUNDS, figures, fleet }, null, 2) + "\n",
  );
  const ladder = fleet.results.map((r) =>
    `${r.cps}/${r.db}: e2e p99 ${r.e2eP99Ms} ms, auth p99 ${r.authorizationP99Ms} ms, ` +
    `uninjected ${r.uninjectedFaults}${r.holds ? " ✓" : " ✗"}`
  ).join("; ");
  const largest = Object.entries(fleet.largestHolding).map(([db, n]) => `${db} ${n ?? "none"}`)
    .join(", ");
  const single = mode === "full"
    ? `KO→faulted p99 ${figures.koKeyToFaultedP99Ms} ms | killed→faulted p99 ${figures.engineKilledToFaultedP99Ms} ms | ` +
      `restart→available p50 ${figures.engineRestartToAvailableP50Ms} ms | request→answer idle p50 ${figures.requestToAnswerIdleP50Ms} ms p99 ${figures.requestToAnswerIdleP99Ms} ms ` +
      `(two Kafka hops alone: p99 ${figures.kafkaTwoHopsIdleP99Ms} ms) | ` +
      `instance killed → served max ${figures.takeoverServedMaxMs ?? "-"} ms | `
    : "";
  console.log(
    `bench ${commit} (${mode}): ${single}fleet ${ladder} | largest N holding every bar: ${largest} ` +
      `(${out.pathname.split("/").pop()})`,
  );
});
