/**
 * `HEALTH#seq#OK|KO`: a Monitor tells Central its Engine's health. Sent every second, it is
 * also the Monitor's heartbeat. Central answers `ACK#seq`.
 *
 * @module
 */
import { type MessageCodec, oneOf } from "./codec.ts";

/** An Engine's health. */
export type Health = "OK" | "KO";

/** A Monitor's report of its Engine's health (and its heartbeat). */
export interface HealthRequest {
  type: "HEALTH";
  seq: number;
  health: Health;
}

/**
 * Codec of HEALTH.
 *
 * @example
 * ```ts
 * import { health } from "./health.ts";
 * console.log(health.decode(9, ["KO"])); // { type: "HEALTH", seq: 9, health: "KO" }
 * ```
 */
export const health: MessageCodec<HealthRequest> = {
  arity: 1,
  encode: (m) => [m.health],
  decode: (seq, [text]) => ({
    type: "HEALTH",
    seq,
    health: oneOf("health", text, ["OK", "KO"] as const),
  }),
};
