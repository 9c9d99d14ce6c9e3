/**
 * A charging point as Central's core holds it, and the state shown for it (BRIEF §2). The shown
 * state is derived, never stored on its own: from the Monitor's link, the Engine's health, the
 * operator's order and the supply in progress. A CP another instance owns is shown as its owner
 * last announced it.
 *
 * @module
 */
import type { CpState, CpView } from "../../shared/cp_view.ts";

export { CP_STATES, type CpState, type CpView } from "../../shared/cp_view.ts";

/**
 * A supply in progress at a CP.
 * - `claiming`: the core authorized it; the database is recording it (one per CP and per
 *   driver, across every instance); the driver has not been told yet.
 * - `reserved`: recorded and told; waiting for the car until `deadline`.
 * - `charging`: energy flows.
 * - `ending`: Central asked the Engine to end it (fault, disconnection, stop) and waits until
 *   `deadline` for the Engine's final figures; then it ends it with the last ones it has.
 */
export interface LiveSupply {
  sessionId: string;
  driverId: string;
  /** Id of the request that asked for it (a redelivered request is known by it). */
  requestId: string;
  phase: "claiming" | "reserved" | "charging" | "ending";
  /** Price per kWh when it was authorized: what the ticket is priced with. */
  pricePerKwh: number;
  /** ms since epoch. */
  authorizedAt: number;
  startedAt?: number;
  kw: number;
  kwh: number;
  /** Central's figure: kWh × the session's price. */
  eur: number;
  /** ms (Central's clock) of the last telemetry of this supply. */
  heardAt: number;
  /** When the phase's deadline falls (reserved: expiry; ending: end here). */
  deadline?: number;
  /** Why Central is ending it (phase `ending`). */
  endReason?: string;
  /** A restored supply whose CP has not been heard of yet: ended if it stays so past this. */
  reconnectBy?: number;
}

/** The Monitor's authenticated link, as the link facts tell it. */
export interface CpLink {
  /** The instance holding the socket. */
  holder: string;
  /** That socket (a new connection is a new id). */
  linkId: string;
  engineOk: boolean;
  /** Links-timeline time (see `Tick.linksAt`) the link was last heard of. */
  heardAt: number;
}

/** What the core knows of one CP. */
export interface CpRecord {
  id: string;
  location: string;
  pricePerKwh: number;
  /** Stopped by the operator (kept across restarts). */
  stopped: boolean;
  /** Partition of the CP topics its records go to (its owner is that partition's). */
  partition: number;
  /** This instance owns it: its rules are applied here. */
  owned: boolean;
  link?: CpLink;
  supply?: LiveSupply;
  /** A CP owned elsewhere: as its owner last announced it. */
  shown?: CpView;
  /** ms since epoch of the last change. */
  updatedAt: number;
}

/**
 * The state shown for a CP this instance owns.
 *
 * @example
 * ```ts
 * stateOf({ link: { holder: "a", linkId: "1", engineOk: true, heardAt: 0 }, stopped: false }); // "available"
 * ```
 */
export function stateOf(cp: Pick<CpRecord, "link" | "stopped" | "supply">): CpState {
  if (!cp.link) return "disconnected";
  if (!cp.link.engineOk) return "faulted";
  if (cp.stopped) return "stopped";
  if (cp.supply) return cp.supply.phase === "charging" ? "charging" : "reserved";
  return "available";
}

/** The state shown for any CP: derived where owned, as announced where not. */
export function shownState(cp: CpRecord): CpState {
  return cp.owned || !cp.shown ? stateOf(cp) : cp.shown.state;
}

/** The view of a CP (BRIEF §6 `GET /api/cps`). */
export function viewOf(cp: CpRecord): CpView {
  if (!cp.owned && cp.shown) return cp.shown;
  const view: CpView = {
    id: cp.id,
    location: cp.location,
    pricePerKwh: cp.pricePerKwh,
    state: stateOf(cp),
    updatedAt: new Date(cp.updatedAt).toISOString(),
  };
  const s = cp.supply;
  if (s && cp.link && s.phase !== "claiming") {
    view.driverId = s.driverId;
    view.sessionId = s.sessionId;
    view.since = new Date(s.authorizedAt).toISOString();
    view.kw = round(s.kw, 2);
    view.kwh = round(s.kwh, 3);
    view.eur = round(s.eur, 2);
  }
  return view;
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
