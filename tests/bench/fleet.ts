/**
 * The fleet ladder (BRIEF §8): N CPs charging at once at 1 Hz against a fresh Central, on the
 * embedded database or on the PostgreSQL server, with the real simulator. Per step: end-to-end
 * p50/p99 (Engine telemetry `at` → the driver's `progress`), request → authorization p50/p99 of
 * extra drivers asking in an open loop during the load, faults nobody injected, Central's CPU and
 * RSS (from /proc), its consumer lag (`/metrics`), and what the simulator itself cost. A step
 * holds when it meets every bar.
 *
 * @module
 */
import type { DrainFigures } from "../../cp/sim/drain.ts";
import { startNetwork } from "../support/network.ts";
import { ProcWindow, rssMb } from "./proc.ts";

/** One step of the ladder. */
export interface FleetStep {
  cps: number;
  db: "embedded" | "postgres";
  /** Seconds measured once every CP charges. */
  measureS: number;
  /** Probe requests per second (open loop). @default 5 */
  probeRate?: number;
  /** Write CPU profiles (Central's and the simulator's) under this folder. */
  profileDir?: string;
}

/** The bars a step is held to (BRIEF §8). */
export const BARS = {
  e2eP99Ms: 1_000,
  e2eP50Ms: 50,
  uninjectedFaults: 0,
  authorizationP99Ms: 100,
};

/** What one step measured. */
export interface FleetResult {
  cps: number;
  db: string;
  holds: boolean;
  /** Why it does not hold (the bars missed). */
  missed: string[];
  measuredS: number;
  charging: number;
  e2eP50Ms: number;
  e2eP99Ms: number;
  e2eMaxMs: number;
  /** Telemetry `at` → the broker acknowledged it to the simulator, p50/p99. */
  toBrokerP50Ms: number;
  toBrokerP99Ms: number;
  /** Telemetry `at` → Central published its progress notification, p50/p99. */
  toRelayP50Ms: number;
  toRelayP99Ms: number;
  /** Central published it → the driver had it, p50/p99. */
  fromRelayP50Ms: number;
  fromRelayP99Ms: number;
  authorizationP50Ms: number;
  authorizationP99Ms: number;
  /** Of each authorization: until Central published the answer, and the answer's delivery. */
  authorizationToAnswerP50Ms: number;
  authorizationToAnswerP99Ms: number;
  authorizationDeliveryP50Ms: number;
  authorizationDeliveryP99Ms: number;
  probeSent: number;
  uninjectedFaults: number;
  monitorFalseKo: number;
  duplicateTickets: number;
  telemetryPerS: number;
  progressPerS: number;
  centralCpuPct: number;
  centralRssMb: number;
  centralRssMaxMb: number;
  centralRssIdleMb: number;
  consumerLagMax: number;
  simCpuPct: number;
  simLagMaxMs: number;
  machineBusyPct: number;
  /** Of the machine's time, the share stolen by its host (other virtual machines). */
  machineStealPct: number;
  /** The machine's 1-minute load average at the start and the end of the window (others' work too). */
  loadAverage: [number, number];
  /** Once the load dropped (every car unplugged): what the network showed by itself. */
  drain?: DrainFigures;
  /** The simulator's whole summary. */
  sim: Record<string, unknown>;
}

async function consumerLag(port: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, {
      signal: AbortSignal.timeout(5_000),
    })).text();
    let sum = 0;
    for (const m of text.matchAll(/^ev_kafka_consumer_lag\{[^}]*\} (\d+)/gm)) sum += Number(m[1]);
    return sum;
  } catch {
    return NaN;
  }
}

/** Runs one step of the ladder. */
export async function runFleetStep(
  step: FleetStep,
  say: (text: string) => void,
): Promise<FleetResult> {
  const { cps, db, measureS, probeRate = 5, profileDir } = step;
  const prof = profileDir ? `${profileDir}/${db}-${cps}` : undefined;
  await using net = await startNetwork({
    embedded: db === "embedded",
    postgres: db === "postgres",
    denoFlags: prof ? { central: ["--cpu-prof", `--cpu-prof-dir=${prof}/central`] } : {},
  });
  const central = net.central.pid;
  await new Promise((r) => setTimeout(r, 2_000));
  const centralRssIdleMb = rssMb(central);
  // figures count once every CP has charged for a while (the start's burst of supplies written
  // and relayed), or past this time at most
  const settleS = 15;
  const warmupS = 60 + Math.ceil(cps / 100) + settleS;
  const sim = await net.run(
    "sim",
    [
      ...["--cps", String(cps), "--charge", "86400", "--probe", String(probeRate)],
      ...["--warmup", String(warmupS), "--settle", String(settleS)],
      ...["--measure", String(measureS), "--every", "10"],
      ...["--prefix", "F", "--json", "--drain"],
      ...["--api", `http://127.0.0.1:${net.httpPort}`, "--central", `127.0.0.1:${net.cpPort}`],
    ],
    prof ? { EV_SIM_CPU_PROF: `${prof}/sim` } : {},
    `sim ${cps}`,
  );
  const echo = (async () => {
    let shown = 0;
    while (sim.exited === undefined) {
      for (; shown < sim.lines.length; shown++) {
        if (/^sim: \d+ s \|/.test(sim.lines[shown])) say(`  ${sim.lines[shown].slice(5)}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  const parts = (await sim.waitForLine(/parts run as processes|CPs started/, 300_000))
    .match(/processes ([\d, ]+)/)?.[1].split(", ").map(Number) ?? [];
  await sim.waitForLine(/^sim: measuring/, (warmupS + 300) * 1000);
  say(`  ${cps} CPs on ${db}: measuring ${measureS} s`);
  const window = new ProcWindow({ central: [central], sim: [sim.pid, ...parts] });
  const load0 = Deno.loadavg()[0];
  let lagMax = 0;
  const lagSampler = setInterval(async () => {
    const lag = await consumerLag(net.httpPort);
    if (!Number.isNaN(lag)) lagMax = Math.max(lagMax, lag);
  }, 2_000);
  // the costs are the load's: the window ends where the drain (the load dropping) begins
  await sim.waitForLine(/^sim: (draining|stopping)/, (measureS + 120) * 1000);
  clearInterval(lagSampler);
  const costs = window.end();
  await sim.waitForLine(/^sim: stopping/, 240_000);
  let giveUp: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([sim.done, new Promise((r) => (giveUp = setTimeout(r, 120_000)))]);
  clearTimeout(giveUp);
  await sim.stop();
  await echo;
  // every line of the step, for a person who wants to know why
  const logs = Deno.env.get("EV_BENCH_LOGS") ?? "/tmp/ev-bench-logs";
  await Deno.mkdir(logs, { recursive: true });
  await Deno.writeTextFile(`${logs}/${db}-${cps}-sim.log`, sim.lines.join("\n") + "\n");
  await Deno.writeTextFile(`${logs}/${db}-${cps}-central.log`, net.central.lines.join("\n") + "\n");
  say(`  logs: ${logs}/${db}-${cps}-{sim,central}.log`);
  const s = JSON.parse(sim.stdout.at(-1) ?? "{}");
  const faults = s.faults ?? {};
  const result: FleetResult = {
    cps,
    db,
    holds: false,
    missed: [],
    measuredS: s.measuredSeconds,
    charging: s.charging,
    e2eP50Ms: s.e2eMsP50,
    e2eP99Ms: s.e2eMsP99,
    e2eMaxMs: s.e2eMsMax,
    toBrokerP50Ms: s.toBrokerMsP50,
    toBrokerP99Ms: s.toBrokerMsP99,
    toRelayP50Ms: s.toRelayMsP50,
    toRelayP99Ms: s.toRelayMsP99,
    fromRelayP50Ms: s.fromRelayMsP50,
    fromRelayP99Ms: s.fromRelayMsP99,
    authorizationP50Ms: s.probe?.authorizationMsP50,
    authorizationP99Ms: s.probe?.authorizationMsP99,
    authorizationToAnswerP50Ms: s.probe?.toAnswerMsP50,
    authorizationToAnswerP99Ms: s.probe?.toAnswerMsP99,
    authorizationDeliveryP50Ms: s.probe?.deliveryMsP50,
    authorizationDeliveryP99Ms: s.probe?.deliveryMsP99,
    probeSent: s.probe?.sent,
    uninjectedFaults: (faults.uninjectedFaulted ?? NaN) + (faults.uninjectedDisconnected ?? NaN),
    monitorFalseKo: faults.monitorFalseKo,
    duplicateTickets: s.duplicateTickets,
    telemetryPerS: s.telemetryPerS,
    progressPerS: s.progressPerS,
    centralCpuPct: costs.byName.central.cpuPct,
    centralRssMb: costs.byName.central.rssMeanMb,
    centralRssMaxMb: costs.byName.central.rssMaxMb,
    centralRssIdleMb,
    consumerLagMax: lagMax,
    simCpuPct: costs.byName.sim.cpuPct,
    simLagMaxMs: s.lag?.partsMaxMs,
    machineBusyPct: costs.machineBusyPct,
    machineStealPct: costs.machineStealPct,
    loadAverage: [load0, Deno.loadavg()[0]],
    drain: s.drain,
    sim: s,
  };
  const miss = (bad: boolean, what: string) => bad && result.missed.push(what);
  // a figure not measured (no progress matched, no probe answered) is a miss, not a pass
  const below = (v: number | null | undefined, bar: number) => typeof v === "number" && v < bar;
  miss(!below(result.e2eP99Ms, BARS.e2eP99Ms), `e2e p99 ${result.e2eP99Ms} ms ≥ ${BARS.e2eP99Ms}`);
  miss(!below(result.e2eP50Ms, BARS.e2eP50Ms), `e2e p50 ${result.e2eP50Ms} ms ≥ ${BARS.e2eP50Ms}`);
  miss(result.uninjectedFaults !== 0, `${result.uninjectedFaults} faults nobody injected`);
  miss(
    !below(result.authorizationP99Ms, BARS.authorizationP99Ms),
    typeof result.authorizationP99Ms === "number"
      ? `request → authorization p99 ${result.authorizationP99Ms} ms ≥ ${BARS.authorizationP99Ms}`
      : "no probe request answered in the window",
  );
  miss(!(result.charging >= cps), `only ${result.charging}/${cps} charging`);
  const d = result.drain;
  miss(
    !d || d.suppliesOverS === null || d.timeouts > 0 || result.duplicateTickets !== 0,
    `not every supply ended with one ticket once the load dropped (${JSON.stringify(d)}, ` +
      `duplicates ${result.duplicateTickets})`,
  );
  miss(
    !!d && d.availableS === null,
    `only ${d?.available}/${cps} CPs available once the load dropped`,
  );
  miss(
    !!d && d.uninjectedFaults !== 0,
    `${d?.uninjectedFaults} faults nobody injected as the load dropped`,
  );
  result.holds = result.missed.length === 0;
  return result;
}

/** One line for people. */
export function describeStep(r: FleetResult): string {
  return `${r.cps} CPs, ${r.db}: e2e p50 ${r.e2eP50Ms} ms p99 ${r.e2eP99Ms} ms ` +
    `(broker has it p50 ${r.toBrokerP50Ms} p99 ${r.toBrokerP99Ms}, ` +
    `Central relays p50 ${r.toRelayP50Ms} p99 ${r.toRelayP99Ms}, ` +
    `driver has it +p50 ${r.fromRelayP50Ms} p99 ${r.fromRelayP99Ms}) | ` +
    `authorization p50 ${r.authorizationP50Ms} p99 ${r.authorizationP99Ms} ms ` +
    `(Central answered p50 ${r.authorizationToAnswerP50Ms} p99 ${r.authorizationToAnswerP99Ms}, ` +
    `delivered +p50 ${r.authorizationDeliveryP50Ms} p99 ${r.authorizationDeliveryP99Ms}) | ` +
    `uninjected faults ${r.uninjectedFaults} | Central CPU ${r.centralCpuPct} % RSS ${r.centralRssMb} MB ` +
    `(idle ${r.centralRssIdleMb}) consumer lag ≤ ${r.consumerLagMax} records | sim CPU ${r.simCpuPct} % lag ≤ ${r.simLagMaxMs} ms | ` +
    `machine ${r.machineBusyPct} % busy (${r.machineStealPct} % stolen by its host), load ${
      r.loadAverage.join("→")
    } | load dropped: ${r.drain?.tickets} tickets in ${r.drain?.suppliesOverS} s, every CP available in ${r.drain?.availableS} s | ${
      r.holds ? "HOLDS" : `misses: ${r.missed.join("; ")}`
    }`;
}

/** Options of {@link runLadder}. */
export interface LadderOptions {
  steps: number[];
  dbs: FleetStep["db"][];
  measureS: number;
  profileDir?: string;
}

/** The whole ladder: every step on every database; the largest N that holds, per database. */
export async function runLadder(o: LadderOptions, say: (text: string) => void) {
  const results: FleetResult[] = [];
  const largestHolding: Record<string, number | null> = {};
  for (const db of o.dbs) {
    largestHolding[db] = null;
    for (const cps of o.steps) {
      say(`fleet: ${cps} CPs on ${db}…`);
      try {
        const r = await runFleetStep(
          { cps, db, measureS: o.measureS, profileDir: o.profileDir },
          say,
        );
        results.push(r);
        say(`fleet: ${describeStep(r)}`);
        if (r.holds && cps > (largestHolding[db] ?? 0)) largestHolding[db] = cps;
      } catch (e) {
        say(
          `fleet: ${cps} CPs on ${db} could not be measured: ${e instanceof Error ? e.message : e}`,
        );
      }
    }
  }
  return { bars: BARS, results, largestHolding };
}
