/**
 * A charging point as Central sees it, and the state shown for it (BRIEF §2). The shown state is
 * derived, never stored on its own: from whether the Monitor is connected, the Engine's health,
 * the operator's order and the supply in progress.
 *
 * @module
 */

import type { CpState, CpView } from "../../shared/cp_view.ts";

export { CP_STATES, type CpState, type CpView } from "../../shared/cp_view.ts";

/** A supply in progress at a CP. */
export interface LiveSupply {
  sessionId: string;
  driverId: string;
  /** Id of the request that asked for it (a redelivered request is known by it). */
  requestId: string;
  /** reserved: authorized, car not plugged in yet. */
  phase: "reserved" | "charging";
  kw: number;
  kwh: number;
  eur: number;
  /** ms since epoch when it was authorized. */
  authorizedAt: number;
}

/** What Central knows of one CP. */
export interface Cp {
  id: string;
  location: string;
  pricePerKwh: number;
  /** The Monitor is connected and authenticated. */
  connected: boolean;
  /** The Monitor's last report of its Engine. */
  engineOk: boolean;
  /** Stopped by the operator (kept across restarts). */
  stopped: boolean;
  supply?: LiveSupply;
  /** ms since epoch of the last change. */
  updatedAt: number;
}

/**
 * The state shown for a CP.
 *
 * @example
 * ```ts
 * stateOf({ connected: true, engineOk: true, stopped: false }); // "available"
 * ```
 */
export function stateOf(cp: Pick<Cp, "connected" | "engineOk" | "stopped" | "supply">): CpState {
  if (!cp.connected) return "disconnected";
  if (!cp.engineOk) return "faulted";
  if (cp.stopped) return "stopped";
  if (cp.supply) return cp.supply.phase;
  return "available";
}

/** Why a supply cannot be authorized at a CP, or undefined when it can. */
export function denialReason(
  cp: Cp | undefined,
  driverHasLiveSupply: boolean,
): string | undefined {
  if (!cp) return "unknown CP";
  if (driverHasLiveSupply) return "driver already has a supply in progress";
  const state = stateOf(cp);
  switch (state) {
    case "available":
      return undefined;
    case "reserved":
    case "charging":
      return "CP busy";
    case "stopped":
      return "CP stopped (out of order)";
    case "faulted":
      return "CP faulted";
    case "disconnected":
      return "CP disconnected";
  }
}

/** The view of a CP (BRIEF §6 `GET /api/cps`). */
export function viewOf(cp: Cp): CpView {
  const view: CpView = {
    id: cp.id,
    location: cp.location,
    pricePerKwh: cp.pricePerKwh,
    state: stateOf(cp),
    updatedAt: new Date(cp.updatedAt).toISOString(),
  };
  if (cp.supply && cp.connected) {
    view.driverId = cp.supply.driverId;
    view.sessionId = cp.supply.sessionId;
    view.since = new Date(cp.supply.authorizedAt).toISOString();
    view.kw = round(cp.supply.kw, 2);
    view.kwh = round(cp.supply.kwh, 3);
    view.eur = round(cp.supply.eur, 2);
  }
  return view;
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
