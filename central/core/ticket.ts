/**
 * What a supply costs: Central prices energy with the price the CP had when the supply was
 * authorized. An Engine's € is checked against it, never trusted.
 *
 * @module
 */
import type { Ticket } from "../../shared/events.ts";
import type { LiveSupply } from "./cp.ts";

/**
 * The price of `kwh` at `pricePerKwh` €.
 *
 * @example
 * ```ts
 * priced(2, 0.35); // 0.7
 * ```
 */
export function priced(kwh: number, pricePerKwh: number): number {
  return kwh * pricePerKwh;
}

/** Whether an Engine's € for `kwh` is off Central's figure by more than `tolerance`. */
export function eurMismatch(
  reported: number,
  kwh: number,
  pricePerKwh: number,
  tolerance: number,
): boolean {
  return Math.abs(reported - priced(kwh, pricePerKwh)) > tolerance;
}

/** What ends a supply: when, the energy (never below what telemetry showed), why, partial or not. */
export interface Ending {
  /** ms since epoch. */
  end: number;
  /** kWh supplied (the larger of this and the supply's last figure counts). */
  kwh?: number;
  reason: string;
  partial: boolean;
  /** ms since epoch the energy started to flow (an Engine's report knows it best). */
  start?: number;
}

/** Longest reason a ticket keeps (what the database stores; an Engine may say more). */
export const REASON_MAX = 200;

/** A reason as a ticket keeps it. */
export function reasonOf(text: string): string {
  return text.length <= REASON_MAX ? text : `${text.slice(0, REASON_MAX - 1)}…`;
}

/** The ticket of a supply at CP `cpId`. */
export function ticketOf(cpId: string, supply: LiveSupply, ending: Ending): Ticket {
  const kwh = Math.max(ending.kwh ?? 0, supply.kwh);
  return {
    sessionId: supply.sessionId,
    cpId,
    driverId: supply.driverId,
    start: new Date(ending.start ?? supply.startedAt ?? supply.authorizedAt).toISOString(),
    end: new Date(Math.max(ending.end, ending.start ?? 0)).toISOString(),
    kwh,
    eur: priced(kwh, supply.pricePerKwh),
    partial: ending.partial,
    reason: reasonOf(ending.reason),
  };
}
