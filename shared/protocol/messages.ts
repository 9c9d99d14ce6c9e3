/**
 * The messages of the socket protocol and the table of their opcodes.
 *
 * Every request is `OPCODE#seq#...fields`, its seq a positive integer chosen by the sender; every
 * reply is `ACK#seq#...fields` or `NACK#seq#reason`. Each kind of message has its own module under
 * `messages/`; a new message is one new module and one row of {@link OPCODES}.
 *
 * @module
 */
import { ProtocolError, quote } from "./errors.ts";
import { joinFields, splitFields } from "./fields.ts";
import { auth, type AuthRequest } from "./messages/auth.ts";
import { central, type CentralRequest } from "./messages/central.ts";
import { check, type CheckRequest } from "./messages/check.ts";
import type { MessageCodec } from "./messages/codec.ts";
import { health, type HealthRequest } from "./messages/health.ts";
import { ident, type IdentRequest } from "./messages/ident.ts";
import { resume, type ResumeRequest, stop, type StopRequest } from "./messages/orders.ts";
import { ack, type Nack, nack, type Reply } from "./messages/replies.ts";

export type { AuthRequest } from "./messages/auth.ts";
export type { CentralRequest, CentralStatus } from "./messages/central.ts";
export { type CheckRequest, engineHealth } from "./messages/check.ts";
export type { Health, HealthRequest } from "./messages/health.ts";
export type { IdentRequest } from "./messages/ident.ts";
export type { ResumeRequest, StopRequest } from "./messages/orders.ts";
export type { Ack, Nack, Reply } from "./messages/replies.ts";

/** A message that asks for a reply. */
export type Request =
  | AuthRequest
  | HealthRequest
  | StopRequest
  | ResumeRequest
  | CheckRequest
  | CentralRequest
  | IdentRequest;

/** Any message of the protocol. */
export type Message = Request | Reply;

/** The opcode of each message, which is also its `type`. */
export type Opcode = Message["type"];

/** Each opcode's codec: how its fields are written and read. */
export const OPCODES: { readonly [T in Opcode]: MessageCodec<Extract<Message, { type: T }>> } =
  Object.freeze({
    AUTH: auth,
    HEALTH: health,
    STOP: stop,
    RESUME: resume,
    CHECK: check,
    CENTRAL: central,
    IDENT: ident,
    ACK: ack,
    NACK: nack,
  });

/** Up to 15 digits, so always a safe integer; no sign, no leading zero. */
const SEQ = /^(?:0|[1-9][0-9]{0,14})$/;

/**
 * Reads a message from a frame's DATA, checking every field.
 *
 * @throws {ProtocolError} saying what is wrong, e.g. "unknown opcode 'FOO'", "AUTH needs 4
 * fields, got 2", "bad seq 'x'"; it throws nothing else, whatever `data` is.
 * @example
 * ```ts
 * import { decodeMessage } from "./messages.ts";
 * console.log(decodeMessage("HEALTH#12#OK")); // { type: "HEALTH", seq: 12, health: "OK" }
 * ```
 */
export function decodeMessage(data: string): Message {
  const { opcode, fields } = splitFields(data);
  if (!Object.hasOwn(OPCODES, opcode)) {
    throw new ProtocolError("opcode", `unknown opcode ${quote(opcode)}`);
  }
  const codec: MessageCodec<Message> = OPCODES[opcode as Opcode];
  const [seqText, ...rest] = fields;
  if (seqText === undefined) throw new ProtocolError("seq", `${opcode} needs a seq`);
  if (!SEQ.test(seqText) || (seqText === "0" && opcode !== "NACK")) {
    throw new ProtocolError("seq", `bad seq ${quote(seqText)}`);
  }
  if (codec.arity !== undefined && rest.length !== codec.arity) {
    const plural = codec.arity === 1 ? "" : "s";
    throw new ProtocolError(
      "arity",
      `${opcode} needs ${codec.arity} field${plural}, got ${rest.length}`,
    );
  }
  return codec.decode(Number(seqText), rest);
}

/**
 * Writes a message as a frame's DATA.
 *
 * @throws {ProtocolError} when the message would fail the receiver's checks (the same ones).
 * @example
 * ```ts
 * import { encodeMessage } from "./messages.ts";
 * console.log(encodeMessage({ type: "NACK", seq: 3, reason: "unknown CP" })); // "NACK#3#unknown CP"
 * ```
 */
export function encodeMessage(message: Message): string {
  const codec: MessageCodec<Message> = OPCODES[message.type];
  const data = joinFields(message.type, [String(message.seq), ...codec.encode(message)]);
  decodeMessage(data); // refused here rather than by the peer
  return data;
}

/**
 * The NACK answering DATA that could not be read, with its seq when one can be found (else 0);
 * `undefined` when the DATA is itself a reply, because a reply is never answered (two peers
 * could otherwise NACK each other forever).
 *
 * @example
 * ```ts
 * import { nackFor } from "./messages.ts";
 * console.log(nackFor("AUTH#7#x", "AUTH needs 4 fields, got 1"));
 * // { type: "NACK", seq: 7, reason: "AUTH needs 4 fields, got 1" }
 * ```
 */
export function nackFor(data: string, reason: string): Nack | undefined {
  const [opcode, seqText = ""] = data.split("#", 2);
  if (opcode === "ACK" || opcode === "NACK") return undefined;
  return { type: "NACK", seq: SEQ.test(seqText) ? Number(seqText) : 0, reason };
}
