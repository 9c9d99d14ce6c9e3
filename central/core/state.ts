/**
 * The whole state of Central's core: every CP of the network (those this instance owns and
 * those it only shows), which partitions it owns, the drivers with a live supply, and the
 * requests answered lately. Plain data; the core's functions change it and return effects.
 *
 * It is changed in place, for speed at 10,000 CPs: one input touches one or two records.
 * Every change of a CP goes through {@link putCp}, which keeps the index of drivers right.
 *
 * @module
 */
import type { CpRecord } from "./cp.ts";
import { partitionOf } from "../../shared/partition.ts";

/** The core's timings and limits. */
export interface CoreSettings {
  /** A reservation not used (car not plugged in) within this is released. @default 60000 */
  reservationMs: number;
  /** A CP lost (fault, disconnection, stop) gets this long for its Engine to report the end. @default 3000 */
  endGraceMs: number;
  /** A supply taken over (restart, another instance's) whose CP is not heard of by then ends. @default 30000 */
  reconnectGraceMs: number;
  /** A link not heard of this long (on the links timeline) is gone: its holder died. @default 4000 */
  linkSilenceMs: number;
  /** A charging supply without telemetry this long (telemetry caught up) ends. @default 15000 */
  telemetrySilenceMs: number;
  /** Requests that reached the broker longer ago than this are skipped: their driver gave up. @default 300000 */
  requestMaxAgeMs: number;
  /** An Engine's € may differ from Central's by this much before it is reported. @default 0.01 */
  eurTolerance: number;
}

/** The defaults of {@link CoreSettings}. */
export const DEFAULT_SETTINGS: Readonly<CoreSettings> = Object.freeze({
  reservationMs: 60_000,
  endGraceMs: 3_000,
  reconnectGraceMs: 30_000,
  linkSilenceMs: 4_000,
  telemetrySilenceMs: 15_000,
  requestMaxAgeMs: 300_000,
  eurTolerance: 0.01,
});

/** How many answered request ids are remembered (a redelivered one is dropped). */
const RECENT_REQUESTS = 20_000;

/** Central's core state. */
export interface CoreState {
  /** This instance's id (link facts and announcements name it). */
  readonly instance: string;
  readonly settings: CoreSettings;
  /** How many partitions the CP topics have. */
  readonly partitions: number;
  readonly cps: Map<string, CpRecord>;
  /** Partitions of the CP topics this instance owns. */
  readonly owned: Set<number>;
  /** Driver id → the CPs where it has a live supply (owned here, or announced by its owner). */
  readonly drivers: Map<string, Set<string>>;
  /** Request ids answered lately, oldest first. */
  readonly answered: Set<string>;
  /** The links timeline: the time of this instance's latest heartbeat seen back on the topic. */
  linksAt: number;
}

/** A new, empty state. */
export function createState(
  instance: string,
  partitions: number,
  settings: Partial<CoreSettings> = {},
): CoreState {
  return {
    instance,
    partitions,
    settings: { ...DEFAULT_SETTINGS, ...settings },
    cps: new Map(),
    owned: new Set(),
    drivers: new Map(),
    answered: new Set(),
    linksAt: 0,
  };
}

/** The partition of the CP topics that CP `id` belongs to. */
export function partitionOfCp(state: CoreState, id: string): number {
  return partitionOf(id, state.partitions);
}

/** The driver whose supply a record shows, if any. */
function driverOf(cp: CpRecord | undefined): string | undefined {
  if (!cp) return undefined;
  if (cp.owned || !cp.shown) return cp.supply?.driverId;
  return cp.shown.driverId;
}

/** Stores a CP's new record (or removes it, with `undefined`), keeping the drivers' index. */
export function putCp(state: CoreState, id: string, next: CpRecord | undefined, now: number): void {
  const before = driverOf(state.cps.get(id));
  if (next) {
    next.updatedAt = now;
    state.cps.set(id, next);
  } else state.cps.delete(id);
  const after = driverOf(next);
  if (before === after) return;
  if (before) {
    const set = state.drivers.get(before);
    set?.delete(id);
    if (set?.size === 0) state.drivers.delete(before);
  }
  if (after) {
    let set = state.drivers.get(after);
    if (!set) state.drivers.set(after, set = new Set());
    set.add(id);
  }
}

/** Whether a driver has a live supply at a CP other than `exceptCp`. */
export function driverBusy(state: CoreState, driverId: string, exceptCp?: string): boolean {
  const set = state.drivers.get(driverId);
  if (!set) return false;
  for (const cp of set) if (cp !== exceptCp) return true;
  return false;
}

/** Remembers an answered request id; false when it was answered already. */
export function markAnswered(state: CoreState, requestId: string): boolean {
  if (state.answered.has(requestId)) return false;
  state.answered.add(requestId);
  if (state.answered.size > RECENT_REQUESTS) {
    state.answered.delete(state.answered.values().next().value!);
  }
  return true;
}
