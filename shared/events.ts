/**
 * The messages on Kafka topics, defined once: a versioned JSON envelope (`v`, `id`, `type`, `at`)
 * around a typed body. {@link parseEvent} checks everything a consumer relies on and never throws:
 * a bad record gives a reason to log, and is skipped.
 *
 * @module
 */
import { isValidId } from "./ids.ts";
import type { CpView } from "./cp_view.ts";

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

/** Driver (or Engine, for a request made at the CP) → Central. */
export type RequestEvent =
  | { type: "supply.request"; driverId: string; cpId: string; source: "driver" | "cp" }
  | { type: "driver.hello"; driverId: string }
  | { type: "ticket.ack"; driverId: string; sessionId: string };

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

/** Central → everyone: the network's CPs. */
export type NetworkEvent = { type: "network"; cps: CpView[] };

/** Any event body. */
export type EventBody =
  | RequestEvent
  | NotificationEvent
  | TelemetryEvent
  | CommandEvent
  | NetworkEvent;

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
const text: Check = (v) => typeof v === "string" && v.length > 0 && v.length <= 500;
const num: Check = (v) => typeof v === "number" && Number.isFinite(v) && v >= 0;
const iso: Check = (v) => typeof v === "string" && !Number.isNaN(Date.parse(v));
const bool: Check = (v) => typeof v === "boolean";
const optional = (c: Check): Check => (v) => v === undefined || c(v);
const oneOf = (...values: string[]): Check => (v) => values.includes(v as string);

const ticketFields = {
  sessionId: text,
  cpId: id,
  driverId: id,
  start: iso,
  end: iso,
  kwh: num,
  eur: num,
  partial: bool,
  reason: text,
};

/** The fields each type must have. */
const SCHEMAS: Record<EventBody["type"], Record<string, Check>> = {
  "supply.request": { driverId: id, cpId: id, source: oneOf("driver", "cp") },
  "driver.hello": { driverId: id },
  "ticket.ack": { driverId: id, sessionId: text },
  authorized: {
    driverId: id,
    requestId: text,
    sessionId: text,
    cpId: id,
    pricePerKwh: num,
    resumed: optional(bool),
  },
  denied: { driverId: id, requestId: text, cpId: text, reason: text },
  progress: { driverId: id, sessionId: text, cpId: id, kw: num, kwh: num, eur: num },
  expired: { driverId: id, sessionId: text, cpId: id, reason: text },
  ticket: { ...ticketFields, resent: optional(bool) },
  "supply.started": { cpId: id, sessionId: text, driverId: id },
  "supply.progress": { cpId: id, sessionId: text, driverId: id, kw: num, kwh: num, eur: num },
  "supply.ended": ticketFields,
  "supply.authorize": { cpId: id, sessionId: text, driverId: id, pricePerKwh: num },
  "supply.cancel": { cpId: id, sessionId: text, reason: text },
  network: { cps: Array.isArray },
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
