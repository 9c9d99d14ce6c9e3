/**
 * What the simulator tells people: a progress line every few seconds and the final figures (the
 * `--json` line the benchmark reads).
 *
 * @module
 */
import type { Fleet } from "./fleet.ts";
import type { SimDrivers } from "./drivers.ts";
import type { E2eProbe } from "./e2e.ts";
import type { Probe } from "./probe.ts";
import type { FaultInjector } from "./faults.ts";
import type { NetworkWatch } from "./watch.ts";
import type { LoopLag } from "../../shared/loop_lag.ts";
import type { Histogram } from "./histogram.ts";

/** A run of the simulator: what it is made of, and what it measured so far. */
export interface Run {
  n: number;
  m: number;
  workers: number;
  /** Epoch ms. */
  started: number;
  /** When the figures started counting (epoch ms), once they do. */
  measuringSince: number | undefined;
  /** Telemetry sent when the figures started counting. */
  sentAtMeasure?: number;
  fleet: Fleet;
  drivers: SimDrivers;
  e2e: E2eProbe;
  probe: Probe;
  injector: FaultInjector;
  watch: NetworkWatch;
  /** The main process's lateness. */
  lag: LoopLag;
  /** The largest lateness a part reported so far. */
  worstPartLagMs: number;
  /** Counts at the last progress line (for its rates). */
  last?: { at: number; sent: number; received: number };
}

const ms = (h: Histogram, p: number) => Math.round(h.percentile(p) * 10) / 10;
const states = (counts: Record<string, number>) =>
  Object.entries(counts).sort().map(([s, k]) => `${k} ${s}`).join(", ") || "none yet";

/** One progress line. */
export function progressLine(run: Run): string {
  const f = run.fleet.figures();
  const now = Date.now();
  const received = run.e2e.histogram.count;
  const previous = run.last ?? { at: run.started, sent: 0, received: 0 };
  const seconds = Math.max(0.001, (now - previous.at) / 1000);
  const sentPerS = Math.max(0, f.sent - previous.sent) / seconds;
  const receivedPerS = Math.max(0, received - previous.received) / seconds;
  run.last = { at: now, sent: f.sent, received };
  const d = run.drivers.figures;
  const w = run.watch.faults;
  const p = run.probe;
  const main = run.lag.figures(5_000);
  return [
    `${Math.round((now - run.started) / 1000)} s`,
    `CPs ${f.started}/${run.n} started, Central shows ${states(run.watch.byState())}; ` +
    `Engines charging ${f.charging}`,
    `telemetry ${Math.round(sentPerS)}/s, progress received ${Math.round(receivedPerS)}/s`,
    `e2e p50 ${ms(run.e2e.histogram, 50)} ms p99 ${ms(run.e2e.histogram, 99)} ms ` +
    `(p50: broker has it ${ms(run.e2e.toBroker, 50)}, Central relays ${
      ms(run.e2e.toRelay, 50)
    }, driver has it +${ms(run.e2e.fromRelay, 50)})`,
    `request→answer p50 ${ms(run.drivers.answers, 50)} p99 ${ms(run.drivers.answers, 99)} ms` +
    (p.sent
      ? `, probe →authorized p50 ${ms(p.authorizations, 50)} p99 ${ms(p.authorizations, 99)} ms`
      : ""),
    `tickets ${d.tickets}, denied ${d.denied}, timeouts ${d.timeouts}`,
    `faults injected ${run.injector.injected}, not injected: faulted ${w.uninjectedFaulted} ` +
    `disconnected ${w.disconnected} (Monitors: false KO ${f.falseKo}, Central lost ${f.centralLost})`,
    `lag: main ${main.maxMs} ms, parts ${f.lagMaxMs} ms (max over 5 s)`,
  ].join(" | ");
}

/** The final figures. */
export function summary(run: Run) {
  const f = run.fleet.figures();
  const d = run.drivers.figures;
  const since = run.measuringSince ?? Date.now();
  const measuredSeconds = Math.max(0.001, (Date.now() - since) / 1000);
  const p = run.probe;
  return {
    cps: run.n,
    drivers: run.m,
    workers: run.workers,
    seconds: Math.round((Date.now() - run.started) / 1000),
    measuredSeconds: Math.round(measuredSeconds),
    started: f.started,
    charging: f.charging,
    centralShows: run.watch.byState(),
    requests: d.requests,
    authorized: d.authorized,
    denied: d.denied,
    deniedFor: d.deniedFor,
    tickets: d.tickets,
    duplicateTickets: d.duplicateTickets,
    partialFor: d.partialFor,
    expired: d.expired,
    timeouts: d.timeouts,
    answerMsP50: ms(run.drivers.answers, 50),
    answerMsP99: ms(run.drivers.answers, 99),
    telemetrySent: f.sent,
    telemetryPerS: Math.round((f.sent - (run.sentAtMeasure ?? 0)) / measuredSeconds),
    progressReceived: run.e2e.histogram.count,
    progressPerS: Math.round(run.e2e.histogram.count / measuredSeconds),
    e2eMsP50: ms(run.e2e.histogram, 50),
    e2eMsP99: ms(run.e2e.histogram, 99),
    e2eMsMax: Math.round(run.e2e.histogram.max),
    e2eUnmatched: run.e2e.unmatched,
    toBrokerMsP50: ms(run.e2e.toBroker, 50),
    toBrokerMsP99: ms(run.e2e.toBroker, 99),
    toRelayMsP50: ms(run.e2e.toRelay, 50),
    toRelayMsP99: ms(run.e2e.toRelay, 99),
    fromRelayMsP50: ms(run.e2e.fromRelay, 50),
    fromRelayMsP99: ms(run.e2e.fromRelay, 99),
    probe: {
      sent: p.sent,
      authorized: p.authorizations.count,
      denied: p.denied,
      timeouts: p.timeouts,
      skipped: p.skipped,
      authorizationMsP50: ms(p.authorizations, 50),
      authorizationMsP99: ms(p.authorizations, 99),
      toAnswerMsP50: ms(p.toAnswer, 50),
      toAnswerMsP99: ms(p.toAnswer, 99),
      deliveryMsP50: ms(p.delivery, 50),
      deliveryMsP99: ms(p.delivery, 99),
    },
    faults: {
      injected: run.injector.injected,
      injectedFaulted: run.watch.faults.injectedFaulted,
      uninjectedFaulted: run.watch.faults.uninjectedFaulted,
      uninjectedDisconnected: run.watch.faults.disconnected,
      monitorFalseKo: f.falseKo,
      centralLinksLost: f.centralLost,
      examples: run.watch.faults.examples,
    },
    lag: {
      mainMaxMs: run.lag.figures(60_000).maxMs,
      partsMaxMs: Math.max(run.worstPartLagMs, f.lagMaxMs),
    },
  };
}
