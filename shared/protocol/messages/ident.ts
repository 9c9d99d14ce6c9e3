/**
 * `IDENT#seq#cpId`: a Monitor tells its Engine which CP they are, first thing on every link, so
 * that an Engine started without an id (the original positional form) learns it. The Engine
 * answers `ACK#seq`, or `NACK#seq#reason` when it is another CP's Engine. An older Engine answers
 * `NACK` (unknown opcode): the Monitor carries on without it.
 *
 * @module
 */
import { checkCpId, type MessageCodec } from "./codec.ts";

/** A Monitor's word to its Engine: the CP they are. */
export interface IdentRequest {
  type: "IDENT";
  seq: number;
  /** 1-64 characters of A-Z a-z 0-9 . _ - */
  cpId: string;
}

/**
 * Codec of IDENT.
 *
 * @example
 * ```ts
 * import { ident } from "./ident.ts";
 * console.log(ident.decode(1, ["CP1"])); // { type: "IDENT", seq: 1, cpId: "CP1" }
 * ```
 */
export const ident: MessageCodec<IdentRequest> = {
  arity: 1,
  encode: (m) => [m.cpId],
  decode: (seq, [cpId]) => ({ type: "IDENT", seq, cpId: checkCpId(cpId) }),
};
