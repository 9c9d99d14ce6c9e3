/**
 * How a CP is shown to people and programs (API, SSE, the network topic): its state and, while
 * supplying, who and how much. Shared by Central, which writes it, and drivers, which read it.
 *
 * @module
 */

/** The states an operator sees (BRIEF §2). */
export type CpState =
  | "available"
  | "reserved"
  | "charging"
  | "stopped"
  | "faulted"
  | "disconnected";

/** Every state, in the order the panels list them. */
export const CP_STATES: readonly CpState[] = [
  "available",
  "reserved",
  "charging",
  "stopped",
  "faulted",
  "disconnected",
];

/** The JSON a CP is shown as. */
export interface CpView {
  id: string;
  location: string;
  pricePerKwh: number;
  state: CpState;
  driverId?: string;
  sessionId?: string;
  /** When the current supply was authorized (ISO). */
  since?: string;
  kw?: number;
  kwh?: number;
  eur?: number;
  updatedAt: string;
}
