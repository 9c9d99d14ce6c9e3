/**
 * The messages on Kafka topics, defined once: a versioned JSON envelope (`v`, `id`, `type`, `at`)
 * around a typed body. {@link parseEvent} checks everything a consumer relies on and never throws:
 * a bad record gives a reason to log, and is skipped.
 *
 * @module
 */
import { isValidId } from "./ids.ts";
import { CP_STATES, type CpView } from "./cp_view.ts";
import { hasControls } from "./foreign_text.ts";

/** Envelope version written by this code. */
export const EVENT_VERSION = 1;

/** Fields every event has. */
export interface Envelope {
  v: number;
  /** Unique id (a redelivered message has the same id). */
  id: string;
  /** ISO time it was written. */
  at: string;
}

/** Driver → Central (keyed by driver id): a (re)started driver's hello, a ticket's receipt. */
export type RequestEvent =
  | { type: "driver.hello"; driverId: string }
  | { type: "ticket.ack"; driverId: string; sessionId: string };

/** An operator's order to a CP. */
export type OrderName = "STOP" | "RESUME";

/**
 * → the CP's owning Central (keyed by CP id, so that one CP's requests reach one instance, in
 * order): supply requests from drivers and Engines; orders, enrolments and removals from any
 * Central instance.
 */
export type CpRequestEvent =
  | { type: "supply.request"; driverId: string; cpId: string; source: "driver" | "cp" }
  | { type: "operator.order"; cpId: string; order: OrderName }
  | { type: "cp.enrolled"; cpId: string; location: string; pricePerKwh: number }
  | { type: "cp.removed"; cpId: string };

/** A ticket: the final figures of a supply. */
export interface Ticket {
  sessionId: string;
  cpId: string;
  driverId: string;
  start: string;
  end: string;
  kwh: number;
  eur: number;
  partial: boolean;
  reason: string;
}

/** Central → Driver (keyed by driver id). */
export type NotificationEvent =
  | {
    type: "authorized";
    driverId: string;
    requestId: string;
    sessionId: string;
    cpId: string;
    pricePerKwh: number;
    resumed?: boolean;
  }
  | { type: "denied"; driverId: string; requestId: string; cpId: string; reason: string }
  | {
    type: "progress";
    driverId: string;
    sessionId: string;
    cpId: string;
    kw: number;
    kwh: number;
    eur: number;
  }
  | { type: "expired"; driverId: string; sessionId: string; cpId: string; reason: string }
  | ({ type: "ticket"; resent?: boolean } & Ticket);

/** Engine → Central (keyed by CP id). */
export type TelemetryEvent =
  | { type: "supply.started"; cpId: string; sessionId: string; driverId: string }
  | {
    type: "supply.progress";
    cpId: string;
    sessionId: string;
    driverId: string;
    kw: number;
    kwh: number;
    eur: number;
  }
  | ({ type: "supply.ended" } & Ticket);

/** Central → Engine (keyed by CP id). */
export type CommandEvent =
  | {
    type: "supply.authorize";
    cpId: string;
    sessionId: string;
    driverId: string;
    pricePerKwh: number;
  }
  | { type: "supply.cancel"; cpId: string; sessionId: string; reason: string };

/** An application message ("CP1 out of order"), as panels show it. */
export interface AppMessage {
  at: string;
  text: string;
  level: "info" | "warn" | "error";
}

/**
 * A Central instance → everyone: the views of the CPs it owns (all of them when `full`, else
 * those whose state changed), CPs removed, and its application messages.
 */
export type NetworkEvent = {
  type: "network";
  cps: CpView[];
  from?: string;
  full?: boolean;
  removed?: string[];
  messages?: AppMessage[];
};

/** One link of a holder's heartbeat: CP id, link id, Engine OK. */
export type AliveLink = [cpId: string, linkId: string, engineOk: boolean];

/**
 * Central instance ↔ Central instances (one partition, read by all): the Monitor links each
 * instance holds, and the orders the CPs' owners relay through them.
 */
export type LinkEvent =
  | {
    type: "link.up";
    cpId: string;
    holder: string;
    linkId: string;
    engineOk: boolean;
    location: string;
    pricePerKwh?: number;
  }
  | { type: "link.health"; cpId: string; holder: string; linkId: string; engineOk: boolean }
  | { type: "link.down"; cpId: string; holder: string; linkId: string; reason: string }
  | { type: "links.alive"; holder: string; links: AliveLink[] }
  | {
    type: "link.order";
    cpId: string;
    holder: string;
    linkId: string;
    order: OrderName;
    from: string;
  }
  | { type: "link.order.result"; cpId: string; order: OrderName; outcome: string; to: string };

/** A record a consumer could not apply, with why and where it came from. */
export type DeadLetterEvent = {
  type: "dead.letter";
  reason: string;
  topic: string;
  partition: number;
  offset: string;
  /** The record's value as text (cut at 64 KB). */
  value: string;
  /** Who set it aside. */
  by: string;
};

/** Any event body. */
export type EventBody =
  | RequestEvent
  | CpRequestEvent
  | NotificationEvent
  | TelemetryEvent
  | CommandEvent
  | NetworkEvent
  | LinkEvent
  | DeadLetterEvent;

/** An event as it travels. */
export type Event<T extends EventBody = EventBody> = Envelope & T;

/** Wraps a body in a new envelope. */
export function envelope<T extends EventBody>(body: T, id: string = crypto.randomUUID()): Event<T> {
  return { v: EVENT_VERSION, id, at: new Date().toISOString(), ...body };
}

/** The bytes of an event. */
export function encodeEvent(event: Event): string {
  return JSON.stringify(event);
}

type Check = (v: unknown) => boolean;
const id: Check = isValidId;
/** Text of `min`-`max` characters without control characters (see `foreign_text.ts`). */
const textOf = (min: number, max: number): Check => (v) =>
  typeof v === "string" && v.length >= min && v.length <= max && !hasControls(v);
const text: Check = textOf(1, 500);
/** A finite number from 0 to `max` (inclusive). */
const upTo = (max: number): Check => (v) =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= max;
/** Energy of one supply, kWh: a lorry's battery is under 1,000. */
const kwh: Check = upTo(10_000);
/** Money of one supply, €. */
const eur: Check = upTo(1_000_000);
/** Power, kW: the largest chargers deliver about 1,000. */
const kw: Check = upTo(1_000);
/** Price per kWh, € (the socket protocol and enrolment allow below 100). */
const price: Check = (v) => upTo(100)(v) && (v as number) < 100;
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
/** The earliest instant any record may carry. */
const EARLIEST = Date.UTC(2000, 0, 1);
/** How far ahead of this machine's clock a time may be (a wrong clock, not a forgery). */
const AHEAD_MS = 24 * 3600_000;
/** A real RFC 3339 instant (with its offset), from 2000 to a day ahead of this clock. */
const iso: Check = (v) => {
  const m = typeof v === "string" ? RFC3339.exec(v) : null;
  if (!m) return false;
  const [year, month, day, hour, minute, second, offH, offM] = m.slice(1).map((part) =>
    Number(part ?? "0")
  );
  const fields = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(fields);
  const real = back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 &&
    back.getUTCDate() === day && hour < 24 && minute < 60 && second < 60 && offH < 24 &&
    offM < 60;
  const at = Date.parse(v as string);
  return real && at >= EARLIEST && at <= Date.now() + AHEAD_MS;
};
const bool: Check = (v) => typeof v === "boolean";
const optional = (c: Check): Check => (v) => v === undefined || c(v);
const oneOf = (...values: readonly string[]): Check => (v) => values.includes(v as string);
/** An object whose listed fields pass their checks (other fields are ignored). */
const shaped = (fields: Record<string, Check>): Check => (v) =>
  typeof v === "object" && v !== null && !Array.isArray(v) &&
  Object.entries(fields).every(([k, c]) => c((v as Record<string, unknown>)[k]));
/** An array of at most `max` items, each passing `item`. */
const listOf = (item: Check, max: number): Check => (v) =>
  Array.isArray(v) && v.length <= max && v.every(item);
/** A CP as the network view shows it ({@link CpView}). */
const cpView: Check = shaped({
  id,
  location: textOf(0, 200),
  pricePerKwh: price,
  state: oneOf(...CP_STATES),
  driverId: optional(id),
  sessionId: optional(text),
  since: optional(iso),
  kw: optional(kw),
  kwh: optional(kwh),
  eur: optional(eur),
  updatedAt: iso,
});
/** An application message as panels show it ({@link AppMessage}). */
const appMessage: Check = shaped({
  at: iso,
  text: textOf(0, 2_000),
  level: oneOf("info", "warn", "error"),
});
/** One link of a holder's heartbeat. */
const aliveLink: Check = (v) =>
  Array.isArray(v) && v.length === 3 && id(v[0]) && text(v[1]) && bool(v[2]);
const order: Check = (v) => v === "STOP" || v === "RESUME";
const int: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;

const ticketFields = {
  sessionId: text,
  cpId: id,
  driverId: id,
  start: iso,
  end: iso,
  kwh,
  eur,
  partial: bool,
  reason: text,
};

/** The fields each type must have. */
const SCHEMAS: Record<EventBody["type"], Record<string, Check>> = {
  "supply.request": { driverId: id, cpId: id, source: oneOf("driver", "cp") },
  "operator.order": { cpId: id, order },
  "cp.enrolled": {
    cpId: id,
    location: textOf(0, 200),
    pricePerKwh: price,
  },
  "cp.removed": { cpId: id },
  "driver.hello": { driverId: id },
  "ticket.ack": { driverId: id, sessionId: text },
  authorized: {
    driverId: id,
    requestId: text,
    sessionId: text,
    cpId: id,
    pricePerKwh: price,
    resumed: optional(bool),
  },
  denied: { driverId: id, requestId: text, cpId: text, reason: text },
  progress: { driverId: id, sessionId: text, cpId: id, kw, kwh, eur },
  expired: { driverId: id, sessionId: text, cpId: id, reason: text },
  ticket: { ...ticketFields, resent: optional(bool) },
  "supply.started": { cpId: id, sessionId: text, driverId: id },
  "supply.progress": { cpId: id, sessionId: text, driverId: id, kw, kwh, eur },
  "supply.ended": ticketFields,
  "supply.authorize": { cpId: id, sessionId: text, driverId: id, pricePerKwh: price },
  "supply.cancel": { cpId: id, sessionId: text, reason: text },
  network: {
    cps: listOf(cpView, 100_000),
    from: optional(text),
    full: optional(bool),
    removed: optional(listOf(id, 100_000)),
    messages: optional(listOf(appMessage, 1_000)),
  },
  "link.up": {
    cpId: id,
    holder: text,
    linkId: text,
    engineOk: bool,
    location: textOf(0, 200),
    pricePerKwh: optional(price),
  },
  "link.health": { cpId: id, holder: text, linkId: text, engineOk: bool },
  "link.down": { cpId: id, holder: text, linkId: text, reason: text },
  "links.alive": { holder: text, links: listOf(aliveLink, 1_000_000) },
  "link.order": { cpId: id, holder: text, linkId: text, order, from: text },
  "link.order.result": { cpId: id, order, outcome: text, to: text },
  "dead.letter": {
    reason: text,
    topic: text,
    partition: int,
    offset: text,
    value: (v) => typeof v === "string",
    by: text,
  },
};

/**
 * Parses a record's value into an event of one of `types`, or returns why it is not one.
 *
 * @example
 * ```ts
 * const e = parseEvent('{"v":1,"id":"x","at":"2026-01-01T00:00:00Z","type":"driver.hello","driverId":"D1"}', ["driver.hello"]);
 * // typeof e !== "string"
 * ```
 */
export function parseEvent<T extends EventBody["type"]>(
  value: string | Uint8Array | null | undefined,
  types: readonly T[],
): Event<Extract<EventBody, { type: T }>> | string {
  if (value === null || value === undefined) return "empty record";
  const textValue = typeof value === "string" ? value : new TextDecoder().decode(value);
  if (textValue.length > 4_000_000) return "record too large";
  let data: unknown;
  try {
    data = JSON.parse(textValue);
  } catch {
    return `invalid JSON: ${JSON.stringify(textValue.slice(0, 60))}`;
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) return "not a JSON object";
  const e = data as Record<string, unknown>;
  if (e.v !== EVENT_VERSION) return `unsupported version ${JSON.stringify(e.v)}`;
  if (!text(e.id) || !iso(e.at)) return "envelope without id or at";
  if (!types.includes(e.type as T)) return `unexpected type ${JSON.stringify(e.type)}`;
  const schema = SCHEMAS[e.type as T];
  for (const [field, check] of Object.entries(schema)) {
    if (!check(e[field])) {
      return `${e.type}: bad ${field} ${JSON.stringify(e[field])?.slice(0, 60)}`;
    }
  }
  return e as Event<Extract<EventBody, { type: T }>>;
}
