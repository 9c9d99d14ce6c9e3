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

/** The colour of each state on every panel (BRIEF §2). */
export const STATE_COLOURS: Readonly<Record<CpState, "green" | "orange" | "red" | "grey">> = {
  available: "green",
  reserved: "green",
  charging: "green",
  stopped: "orange",
  faulted: "red",
  disconnected: "grey",
};

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
