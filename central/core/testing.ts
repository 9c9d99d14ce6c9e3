/**
 * A small world for the core's unit tests: one instance owning every partition, CPs enrolled and
 * linked, a clock that only moves when told, and helpers that feed inputs and pick effects.
 *
 * @module
 */
import { createState, step } from "./step.ts";
import type { CoreSettings, CoreState } from "./state.ts";
import type { Effect } from "./effects.ts";
import type { Input } from "./inputs.ts";
import type { CpState } from "./cp.ts";
import type { CommandEvent, NotificationEvent } from "../../shared/events.ts";
import { viewOf } from "./cp.ts";
import { partitionOf } from "../../shared/partition.ts";

/** The instance under test. */
export const ME = "central-a";

/** A test world. */
export class World {
  readonly state: CoreState;
  now = Date.parse("2026-12-01T10:00:00Z");
  /** Every effect asked for so far, in order. */
  readonly log: Effect[] = [];
  #link = 0;

  /** `owned`: the partitions this instance owns (default: all of them). */
  constructor(
    settings: Partial<CoreSettings> = {},
    { partitions = 12, owned }: { partitions?: number; owned?: number[] } = {},
  ) {
    this.state = createState(ME, partitions, settings);
    this.feed({
      type: "owned",
      partitions: owned ?? Array.from({ length: partitions }, (_, i) => i),
      cps: [],
      sessions: [],
    });
    this.heartbeat();
  }

  /** Feeds one input now; returns its effects. */
  feed(input: Input): Effect[] {
    const effects = step(this.state, input, this.now);
    this.log.push(...effects);
    return effects;
  }

  /** Moves the clock (and this instance's heartbeat, which moves the links timeline). */
  advance(ms: number): void {
    this.now += ms;
  }

  /** This instance's heartbeat is seen back: the links timeline reaches now. */
  heartbeat(links: Array<[string, string, boolean]> = []): Effect[] {
    return this.feed({ type: "linksAlive", holder: ME, at: this.now, links });
  }

  /** A tick with telemetry known complete up to now. */
  tick(telemetryAt = this.now): Effect[] {
    return this.feed({ type: "tick", telemetryAt });
  }

  /** Enrolls CP `id` (price 0.35 €/kWh unless given). */
  enroll(id: string, pricePerKwh = 0.35): void {
    this.feed({ type: "enrolled", cp: { id, location: `Lab-${id}`, pricePerKwh, stopped: false } });
  }

  /** Its Monitor authenticates at `holder`; returns the link id. */
  link(id: string, engineOk = true, holder = ME): string {
    const linkId = `L${++this.#link}`;
    this.feed({ type: "linkUp", cpId: id, holder, linkId, engineOk });
    return linkId;
  }

  /** Enrolls and links CP `id`. */
  cp(id: string, pricePerKwh = 0.35): string {
    this.enroll(id, pricePerKwh);
    return this.link(id);
  }

  /** The state shown for a CP. */
  stateOf(id: string): CpState | undefined {
    const cp = this.state.cps.get(id);
    return cp && viewOf(cp).state;
  }

  /** A driver asks for CP `cpId`; returns the effects. */
  request(driverId: string, cpId: string, requestId: string): Effect[] {
    return this.feed({
      type: "request",
      requestId,
      driverId,
      cpId,
      source: "driver",
      receivedAt: this.now,
    });
  }

  /** A driver asks for CP `cpId`; returns the request id. */
  ask(driverId: string, cpId: string, requestId = `req-${driverId}-${cpId}-${this.now}`): string {
    this.request(driverId, cpId, requestId);
    return requestId;
  }

  /** A driver asks and the database records it: the CP is reserved. Returns the session id. */
  reserve(driverId: string, cpId: string): string {
    const sessionId = this.ask(driverId, cpId);
    this.feed({ type: "claimed", cpId, sessionId });
    return sessionId;
  }

  /** Reserved, then plugged in: charging. */
  charge(driverId: string, cpId: string): string {
    const sessionId = this.reserve(driverId, cpId);
    this.feed({ type: "started", cpId, sessionId, driverId });
    return sessionId;
  }

  /** Telemetry of a supply. */
  telemetry(cpId: string, sessionId: string, driverId: string, kwh: number, eur?: number) {
    const price = this.state.cps.get(cpId)?.supply?.pricePerKwh ?? 0.35;
    return this.feed({
      type: "progress",
      cpId,
      sessionId,
      driverId,
      kw: 7,
      kwh,
      eur: eur ?? kwh * price,
    });
  }
}

/** A CP id whose partition (of `partitions`) is `partition`. */
export function idIn(partition: number, partitions = 12, prefix = "CP"): string {
  for (let i = 0;; i++) {
    if (partitionOf(`${prefix}${i}`, partitions) === partition) return `${prefix}${i}`;
  }
}

/** The effects of one type among `effects`. */
export function only<T extends Effect["type"]>(
  effects: Effect[],
  type: T,
): Extract<Effect, { type: T }>[] {
  return effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
}

/** The notifications of one event type among `effects`. */
export function notices<T extends NotificationEvent["type"]>(
  effects: Effect[],
  eventType: T,
): Extract<NotificationEvent, { type: T }>[];
/** Every notification among `effects`. */
export function notices(effects: Effect[]): NotificationEvent[];
export function notices(effects: Effect[], eventType?: string): NotificationEvent[] {
  return only(effects, "notify").map((e) => e.event).filter((e) =>
    eventType === undefined || e.type === eventType
  );
}

/** The commands to Engines of one event type among `effects`. */
export function commands<T extends CommandEvent["type"]>(
  effects: Effect[],
  eventType: T,
): Extract<CommandEvent, { type: T }>[] {
  return only(effects, "command").map((e) => e.event).filter((e) =>
    e.type === eventType
  ) as Extract<
    CommandEvent,
    { type: T }
  >[];
}
