/**
 * `ACK#seq#...fields` and `NACK#seq#reason`: the answer to every request, with the request's seq
 * (a NACK has seq 0 when the request was too broken to read one). A reply is never answered.
 *
 * @module
 */
import type { MessageCodec } from "./codec.ts";

/** A request accepted, with the answer's fields (their meaning depends on the request). */
export interface Ack {
  type: "ACK";
  seq: number;
  fields: string[];
}

/** A request refused, and why. */
export interface Nack {
  type: "NACK";
  seq: number;
  reason: string;
}

/** An answer to a request. */
export type Reply = Ack | Nack;

/**
 * Codec of ACK.
 *
 * @example
 * ```ts
 * import { ack } from "./replies.ts";
 * console.log(ack.decode(1, ["available"])); // { type: "ACK", seq: 1, fields: ["available"] }
 * ```
 */
export const ack: MessageCodec<Ack> = {
  encode: (m) => m.fields,
  decode: (seq, fields) => ({ type: "ACK", seq, fields }),
};

/**
 * Codec of NACK.
 *
 * @example
 * ```ts
 * import { nack } from "./replies.ts";
 * console.log(nack.decode(0, ["bad checksum"])); // { type: "NACK", seq: 0, reason: "bad checksum" }
 * ```
 */
export const nack: MessageCodec<Nack> = {
  arity: 1,
  encode: (m) => [m.reason],
  decode: (seq, [reason]) => ({ type: "NACK", seq, reason }),
};
