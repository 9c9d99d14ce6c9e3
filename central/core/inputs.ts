/**
 * What Central's core is told: facts from the outside world, each one a plain object. The shell
 * turns Kafka records, socket links, database answers, HTTP orders and the clock into these.
 *
 * @module
 */
import type { CpState, CpView } from "../../shared/cp_view.ts";
import type { Ticket } from "../../shared/events.ts";
import type { Order } from "./effects.ts";

/** A CP as the database holds it. */
export interface CpInfo {
  id: string;
  location: string;
  pricePerKwh: number;
  stopped: boolean;
  /** The state it was last saved in. */
  state?: CpState;
}

/** A supply in progress as the database holds it. */
export interface LiveSession {
  id: string;
  cpId: string;
  driverId: string;
  requestId: string;
  status: "authorized" | "charging";
  pricePerKwh: number;
  /** ms since epoch. */
  authorizedAt: number;
  startedAt?: number;
  kw: number;
  kwh: number;
}

/** A session as the database holds it, in any status (for an end the core did not expect). */
export interface StoredSession {
  id: string;
  cpId: string;
  driverId: string;
  status: "authorized" | "charging" | "ended" | "expired";
  pricePerKwh: number;
  /** ms since epoch. */
  authorizedAt: number;
  /** Its ticket, once ended. */
  ticket?: Ticket;
  /** The ticket was published. */
  ticketSent: boolean;
}

/** The final figures of a supply, as its Engine reports them. */
export type EndReport = Ticket;

/** Why the database would not record a supply. */
export type ClaimRefusal =
  | "CP busy"
  | "driver already has a supply in progress"
  | "duplicate request"
  | "unknown CP"
  | "refused by the database";

export type { AliveLink } from "../../shared/events.ts";
import type { AliveLink } from "../../shared/events.ts";

/** A fact for the core. */
export type Input =
  // ---- the network's CPs and who owns them
  /** Every enrolled CP, at start-up (shown disconnected until their owners speak). */
  | { type: "catalog"; cps: CpInfo[] }
  /** Partitions this instance owns from now on, with their CPs and live supplies. */
  | { type: "owned"; partitions: number[]; cps: CpInfo[]; sessions: LiveSession[] }
  /** Partitions this instance no longer owns. */
  | { type: "disowned"; partitions: number[] }
  | { type: "enrolled"; cp: CpInfo }
  | { type: "removed"; cpId: string }
  /** Views announced by the instance `from` (their owner), and CPs it removed. */
  | { type: "announced"; from: string; cps: CpView[]; removed: string[] }
  // ---- link facts (any instance may hold a CP's Monitor link)
  | {
    type: "linkUp";
    cpId: string;
    holder: string;
    linkId: string;
    engineOk: boolean;
    location?: string;
    pricePerKwh?: number;
  }
  | { type: "linkHealth"; cpId: string; holder: string; linkId: string; engineOk: boolean }
  | { type: "linkDown"; cpId: string; holder: string; linkId: string; reason: string }
  /** A holder's heartbeat: the links it holds, sent at `at` (its own clock). */
  | { type: "linksAlive"; holder: string; at: number; links: AliveLink[] }
  // ---- supplies
  /** A supply request; `receivedAt` is when the broker took it (ms, the broker's clock). */
  | {
    type: "request";
    requestId: string;
    driverId: string;
    cpId: string;
    source: "driver" | "cp";
    receivedAt: number;
  }
  | { type: "claimed"; cpId: string; sessionId: string }
  | { type: "claimRefused"; cpId: string; sessionId: string; reason: ClaimRefusal }
  | { type: "started"; cpId: string; sessionId: string; driverId: string }
  | {
    type: "progress";
    cpId: string;
    sessionId: string;
    driverId: string;
    kw: number;
    kwh: number;
    eur: number;
  }
  | { type: "ended"; report: EndReport }
  /** The stored session of an end the core had no live supply for. */
  | { type: "sessionLoaded"; report: EndReport; session?: StoredSession }
  /** A supply's end is stored: its ticket is due. */
  | { type: "endStored"; ticket: Ticket }
  /** Tickets stored but never published (a crash came between). */
  | { type: "unsentTickets"; tickets: Ticket[] }
  // ---- the operator
  | { type: "order"; cpId: string; order: Order }
  | { type: "orderOutcome"; cpId: string; order: Order; outcome: string }
  // ---- time
  /**
   * The clock moved. `telemetryAt`: telemetry is known complete up to then (every assigned
   * partition was caught up); a supply is never ended for silence or a deadline beyond it, so
   * Central's own backlog never ends one.
   */
  | { type: "tick"; telemetryAt: number };
