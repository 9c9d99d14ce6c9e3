/**
 * `STOP#seq` and `RESUME#seq`: an operator's orders, from Central to a Monitor and from a Monitor
 * to its Engine. The receiver answers `ACK#seq` or `NACK#seq#reason`.
 *
 * @module
 */
import { type MessageCodec, seqOnly } from "./codec.ts";

/** An order to put the CP out of service (an ongoing supply ends with its ticket). */
export interface StopRequest {
  type: "STOP";
  seq: number;
}

/** An order to put the CP back in service. */
export interface ResumeRequest {
  type: "RESUME";
  seq: number;
}

/**
 * Codec of STOP.
 *
 * @example
 * ```ts
 * import { stop } from "./orders.ts";
 * console.log(stop.encode({ type: "STOP", seq: 2 })); // []
 * ```
 */
export const stop: MessageCodec<StopRequest> = seqOnly("STOP");

/**
 * Codec of RESUME.
 *
 * @example
 * ```ts
 * import { resume } from "./orders.ts";
 * console.log(resume.decode(2, [])); // { type: "RESUME", seq: 2 }
 * ```
 */
export const resume: MessageCodec<ResumeRequest> = seqOnly("RESUME");
