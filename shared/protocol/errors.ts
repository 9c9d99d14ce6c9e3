/**
 * The errors of the socket protocol.
 *
 * @module
 */

/** Which check a message failed (see {@link ProtocolError}). */
export type ProtocolErrorReason = "escape" | "opcode" | "seq" | "arity" | "field";

/**
 * A message that breaks the protocol; its message is the NACK reason sent to the peer.
 *
 * @example
 * ```ts
 * import { ProtocolError } from "./errors.ts";
 * const error = new ProtocolError("opcode", "unknown opcode 'FOO'");
 * console.log(error.reason); // "opcode"
 * ```
 */
export class ProtocolError extends Error {
  /** Which check failed, as a short code for programs (the message is for people). */
  readonly reason: ProtocolErrorReason;

  /** Creates an error for the failed check `reason`, explained by `message`. */
  constructor(reason: ProtocolErrorReason, message: string) {
    super(message);
    this.name = "ProtocolError";
    this.reason = reason;
  }
}

/**
 * A request that got no reply in time.
 *
 * @example
 * ```ts
 * import { RequestTimeoutError } from "./errors.ts";
 * const error = new RequestTimeoutError("CHECK #4", 2000);
 * console.log(error.message); // "CHECK #4 got no reply within 2000 ms"
 * ```
 */
export class RequestTimeoutError extends Error {
  /** How long the request waited, in milliseconds. */
  readonly timeoutMs: number;

  /** Creates the error for request `what` that waited `timeoutMs`. */
  constructor(what: string, timeoutMs: number) {
    super(`${what} got no reply within ${timeoutMs} ms`);
    this.name = "RequestTimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A link that closed before a message could be sent or a reply came back.
 *
 * @example
 * ```ts
 * import { LinkClosedError } from "./errors.ts";
 * const error = new LinkClosedError("peer closed the connection");
 * console.log(error.name); // "LinkClosedError"
 * ```
 */
export class LinkClosedError extends Error {
  /** Creates the error, saying why the link closed. */
  constructor(message = "link closed", options?: ErrorOptions) {
    super(message, options);
    this.name = "LinkClosedError";
  }
}

/**
 * Quotes a peer's text for an error message: at most 40 characters, control characters escaped.
 *
 * @example
 * ```ts
 * import { quote } from "./errors.ts";
 * console.log(quote("FOO\n")); // 'FOO\n'
 * ```
 */
export function quote(text: string): string {
  const short = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return `'${JSON.stringify(short).slice(1, -1)}'`;
}
