/**
 * `CENTRAL#seq#UP|DOWN`: a Monitor tells its Engine whether Central is reachable now (an Engine
 * accepts no new supply while it is not). The Engine answers `ACK#seq`.
 *
 * @module
 */
import { type MessageCodec, oneOf } from "./codec.ts";

/** Whether Central is reachable. */
export type CentralStatus = "UP" | "DOWN";

/** A Monitor's news to its Engine about Central. */
export interface CentralRequest {
  type: "CENTRAL";
  seq: number;
  central: CentralStatus;
}

/**
 * Codec of CENTRAL.
 *
 * @example
 * ```ts
 * import { central } from "./central.ts";
 * console.log(central.decode(4, ["DOWN"])); // { type: "CENTRAL", seq: 4, central: "DOWN" }
 * ```
 */
export const central: MessageCodec<CentralRequest> = {
  arity: 1,
  encode: (m) => [m.central],
  decode: (seq, [text]) => ({
    type: "CENTRAL",
    seq,
    central: oneOf("central", text, ["UP", "DOWN"] as const),
  }),
};
