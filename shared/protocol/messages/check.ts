/**
 * `CHECK#seq`: a Monitor asks its Engine whether it is healthy; the Engine answers `ACK#seq#OK`
 * or `ACK#seq#KO`.
 *
 * @module
 */
import { type MessageCodec, seqOnly } from "./codec.ts";
import type { Health } from "./health.ts";
import type { Reply } from "./replies.ts";

/** A Monitor's health check of its Engine. */
export interface CheckRequest {
  type: "CHECK";
  seq: number;
}

/**
 * Codec of CHECK.
 *
 * @example
 * ```ts
 * import { check } from "./check.ts";
 * console.log(check.decode(5, [])); // { type: "CHECK", seq: 5 }
 * ```
 */
export const check: MessageCodec<CheckRequest> = seqOnly("CHECK");

/**
 * The Engine's health from its reply to CHECK: `"OK"` only for `ACK#seq#OK`, `"KO"` for anything
 * else (the Engine is healthy only when it says so).
 *
 * @example
 * ```ts
 * import { engineHealth } from "./check.ts";
 * console.log(engineHealth({ type: "ACK", seq: 5, fields: ["OK"] })); // "OK"
 * ```
 */
export function engineHealth(reply: Reply): Health {
  return reply.type === "ACK" && reply.fields.length === 1 && reply.fields[0] === "OK"
    ? "OK"
    : "KO";
}
