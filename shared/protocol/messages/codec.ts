/**
 * What every message module provides, and the field checks they share.
 *
 * @module
 */
import { ProtocolError, quote } from "../errors.ts";
import { hasControls } from "../../foreign_text.ts";

/**
 * How one kind of message is written as fields and read back; the opcode and the seq are
 * handled once, in `messages.ts`.
 *
 * @example
 * ```ts
 * import type { MessageCodec } from "./codec.ts";
 * const ping: MessageCodec<{ type: "PING"; seq: number }> = {
 *   arity: 0,
 *   encode: () => [],
 *   decode: (seq) => ({ type: "PING", seq }),
 * };
 * ```
 */
export interface MessageCodec<M extends { type: string; seq: number }> {
  /** How many fields follow the seq; `undefined` when any number may. */
  readonly arity?: number;
  /** The fields after the seq, as text. */
  encode(message: M): string[];
  /** The message from its seq and the `arity` fields after it; throws {@link ProtocolError}. */
  decode(seq: number, fields: string[]): M;
}

/**
 * A codec for a message that carries nothing but its seq.
 *
 * @example
 * ```ts
 * import { seqOnly } from "./codec.ts";
 * console.log(seqOnly("STOP").decode(3, [])); // { type: "STOP", seq: 3 }
 * ```
 */
export function seqOnly<T extends string>(type: T): MessageCodec<{ type: T; seq: number }> {
  return { arity: 0, encode: () => [], decode: (seq) => ({ type, seq }) };
}

/**
 * Returns `text` when it is one of `allowed`, else throws a {@link ProtocolError} naming `field`.
 *
 * @example
 * ```ts
 * import { oneOf } from "./codec.ts";
 * console.log(oneOf("health", "OK", ["OK", "KO"] as const)); // "OK"
 * ```
 */
export function oneOf<T extends string>(field: string, text: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw new ProtocolError("field", `${field} must be ${allowed.join(" or ")}, got ${quote(text)}`);
}

/**
 * Throws a {@link ProtocolError} naming `field` unless `text` has `min` to `max` characters.
 * The text itself is not quoted: it may be a secret.
 *
 * @example
 * ```ts
 * import { checkLength } from "./codec.ts";
 * checkLength("secret", "s3cr3t", 1, 256); // fine
 * ```
 */
export function checkLength(field: string, text: string, min: number, max: number): void {
  const length = [...text].length;
  if (length < min || length > max) {
    throw new ProtocolError("field", `${field} must be ${min}-${max} characters, got ${length}`);
  }
}

/** What a CP id may be on the wire. */
const CP_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Returns `text` when it is a CP id (1-64 characters of A-Z a-z 0-9 . _ -), else throws a
 * {@link ProtocolError}.
 *
 * @example
 * ```ts
 * import { checkCpId } from "./codec.ts";
 * console.log(checkCpId("ALC1")); // "ALC1"
 * ```
 */
export function checkCpId(text: string): string {
  if (CP_ID.test(text)) return text;
  throw new ProtocolError(
    "field",
    `cpId must be 1-64 characters of A-Z a-z 0-9 . _ -, got ${quote(text)}`,
  );
}

/**
 * Like {@link checkLength}, and the text must hold no control characters (escape sequences, line
 * breaks, bidirectional overrides): text that others will show on their screens.
 *
 * @example
 * ```ts
 * import { checkText } from "./codec.ts";
 * checkText("location", "Alicante", 0, 200); // fine
 * ```
 */
export function checkText(field: string, text: string, min: number, max: number): void {
  checkLength(field, text, min, max);
  if (hasControls(text)) {
    throw new ProtocolError("field", `${field} must hold no control characters`);
  }
}
