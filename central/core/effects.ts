/**
 * What Central's core asks for: effects as plain data, carried out by the shell in the order
 * given (store this, tell this driver, order this Engine, announce this state). Effects that
 * need an answer (`claim`, `loadSession`, `storeEnd`) are answered with an input.
 *
 * @module
 */
import type { CpState } from "../../shared/cp_view.ts";
import type { CommandEvent, NotificationEvent, Ticket } from "../../shared/events.ts";
import type { EndReport } from "./inputs.ts";

/** An operator's order to a CP. */
export type Order = "STOP" | "RESUME";

/** A supply the core authorized, to be recorded. */
export interface NewSession {
  id: string;
  cpId: string;
  driverId: string;
  requestId: string;
  pricePerKwh: number;
  /** ms since epoch. */
  authorizedAt: number;
}

/** Statuses a session may have for its end to be stored (compare-and-set). */
export type EndableStatus = "authorized" | "charging" | "expired";

/** Something for the shell to do. */
export type Effect =
  /** Record a supply (one live per CP and per driver); answered `claimed` or `claimRefused`. */
  | { type: "claim"; session: NewSession }
  | { type: "saveStarted"; cpId: string; sessionId: string; at: number }
  /** The latest figures of a live supply (may be saved later, with others). */
  | { type: "saveProgress"; cpId: string; sessionId: string; kw: number; kwh: number; eur: number }
  /** Look up the session of an unexpected end; answered `sessionLoaded`. */
  | { type: "loadSession"; report: EndReport }
  /** Store a supply's end if the session is still in one of `from`; answered `endStored`. */
  | { type: "storeEnd"; ticket: Ticket; from: EndableStatus[] }
  /** A reservation not used: released, no ticket. */
  | { type: "storeExpiry"; cpId: string; sessionId: string; reason: string }
  /** Publish a ticket (claimed first, so that no two instances send it). */
  | { type: "sendTicket"; ticket: Ticket }
  | { type: "notify"; event: NotificationEvent }
  | { type: "command"; event: CommandEvent }
  /** Relay an operator's order to the CP's Monitor, through the instance holding its link. */
  | { type: "orderMonitor"; cpId: string; holder: string; linkId: string; order: Order }
  /** Keep the state shown and the operator's order in the database. */
  | { type: "saveCp"; cpId: string; state: CpState; stopped: boolean }
  /** The CP's view changed (`figures`: only its kW/kWh/€). */
  | { type: "announce"; cpId: string; figures?: boolean }
  /** The CP is gone from the network. */
  | { type: "forget"; cpId: string }
  /** An application message for people. */
  | { type: "message"; text: string; level: "info" | "warn" | "error" }
  /** Count an outcome (`ev_supplies_total`). */
  | { type: "count"; outcome: string };
