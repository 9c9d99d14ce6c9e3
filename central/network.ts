/**
 * The live network as Central holds it: every enrolled CP, its shown state kept in the database,
 * and the application messages people see. Every change goes through {@link Network.update},
 * which persists a changed state and tells the listeners (panel, dashboard, network topic).
 *
 * @module
 */
import { type Cp, type CpState, type CpView, stateOf, viewOf } from "./core/cp.ts";
import type { CpRepo } from "./db/cp_repo.ts";
import { createLogger, errorMessage } from "../shared/log.ts";

const log = createLogger("central");

/** What changed: a CP (its new view), a CP removed, or an application message. */
export type NetworkEvent =
  | { kind: "cp"; cp: CpView; previous?: CpState }
  | { kind: "removed"; id: string }
  | { kind: "message"; message: AppMessage };

/** An application message ("CP1 out of order"). */
export interface AppMessage {
  at: string;
  text: string;
  level: "info" | "warn" | "error";
}

/** How many application messages are kept for people. */
const MESSAGES_KEPT = 50;

/** The CPs Central knows, live. */
export class Network {
  readonly #cps = new Map<string, Cp>();
  readonly #listeners = new Set<(e: NetworkEvent) => void>();
  readonly #messages: AppMessage[] = [];
  readonly #writes = new Map<string, Promise<void>>();
  /** Live supplies per driver id, kept with every change (no scan of the CPs per request). */
  readonly #drivers = new Map<string, number>();

  constructor(private readonly repo: CpRepo) {}

  /** Loads every enrolled CP, shown disconnected until its Monitor connects. */
  async load(): Promise<void> {
    for (const row of await this.repo.list()) {
      this.#cps.set(row.id, {
        id: row.id,
        location: row.location,
        pricePerKwh: row.pricePerKwh,
        connected: false,
        engineOk: true,
        stopped: row.stopped,
        updatedAt: Date.now(),
      });
      if (row.state !== "disconnected") await this.#persist(row.id, "disconnected", row.stopped);
    }
  }

  /** One CP, or undefined. */
  get(id: string): Cp | undefined {
    return this.#cps.get(id);
  }

  /** Whether a driver has a supply (reserved or charging) at any CP. */
  hasDriver(driverId: string): boolean {
    return (this.#drivers.get(driverId) ?? 0) > 0;
  }

  /** Every CP, by id. */
  list(): Cp[] {
    return [...this.#cps.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The recent application messages, oldest first. */
  messages(): AppMessage[] {
    return [...this.#messages];
  }

  /** Calls `listener` on every change; returns a function that stops it. */
  subscribe(listener: (e: NetworkEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Adds a CP just enrolled (shown disconnected); returns it. */
  added(
    cp: { id: string; location: string; pricePerKwh: number; stopped?: boolean },
    { announce = true } = {},
  ): Cp {
    const fresh: Cp = {
      id: cp.id,
      location: cp.location,
      pricePerKwh: cp.pricePerKwh,
      connected: false,
      engineOk: true,
      stopped: cp.stopped ?? false,
      updatedAt: Date.now(),
    };
    this.#cps.set(cp.id, fresh);
    this.#emit({ kind: "cp", cp: viewOf(fresh) });
    if (announce) this.message(`${cp.id} enrolled (${cp.location || "no location"})`);
    return fresh;
  }

  /** Forgets a CP just removed. */
  removed(id: string): void {
    const cp = this.#cps.get(id);
    if (cp?.supply) this.#count(cp.supply.driverId, -1);
    if (this.#cps.delete(id)) {
      this.#emit({ kind: "removed", id });
      this.message(`${id} removed`);
    }
  }

  /**
   * Applies a change to a CP; persists its state and operator order when they changed and tells
   * the listeners. Returns the CP after the change, or undefined for an unknown id.
   */
  update(id: string, change: Partial<Omit<Cp, "id">>): Cp | undefined {
    const cp = this.#cps.get(id);
    if (!cp) return undefined;
    const before = stateOf(cp);
    const stoppedBefore = cp.stopped;
    const driverBefore = cp.supply?.driverId;
    Object.assign(cp, change, { updatedAt: Date.now() });
    if (cp.supply?.driverId !== driverBefore) {
      if (driverBefore) this.#count(driverBefore, -1);
      if (cp.supply) this.#count(cp.supply.driverId, +1);
    }
    const after = stateOf(cp);
    if (after !== before || cp.stopped !== stoppedBefore) {
      this.#persist(id, after, cp.stopped);
      if (after !== before) this.#announce(cp, before, after);
    }
    this.#emit({ kind: "cp", cp: viewOf(cp), previous: before });
    return cp;
  }

  /** Adds an application message for people. */
  message(text: string, level: AppMessage["level"] = "info"): void {
    const message = { at: new Date().toISOString(), text, level };
    this.#messages.push(message);
    if (this.#messages.length > MESSAGES_KEPT) this.#messages.shift();
    log[level](text);
    this.#emit({ kind: "message", message });
  }

  #count(driverId: string, delta: number): void {
    const n = (this.#drivers.get(driverId) ?? 0) + delta;
    if (n > 0) this.#drivers.set(driverId, n);
    else this.#drivers.delete(driverId);
  }

  #announce(cp: Cp, before: CpState, after: CpState): void {
    const texts: Partial<Record<CpState, string>> = {
      available: `${cp.id} available`,
      stopped: `${cp.id} out of order (stopped by the operator)`,
      faulted: `${cp.id} out of order (engine fault)`,
      disconnected: `${cp.id} disconnected`,
    };
    const text = texts[after];
    if (!text || (before === "reserved" || before === "charging") && after === "available") return;
    this.message(text, after === "available" ? "info" : "warn");
  }

  // Writes of one CP are chained so that they land in the order the changes happened.
  #persist(id: string, state: CpState, stopped: boolean): Promise<void> {
    const previous = this.#writes.get(id) ?? Promise.resolve();
    const next = previous.then(() => this.repo.saveState(id, state, stopped)).catch((e) =>
      log.error(`could not save the state of ${id}: ${errorMessage(e)}`)
    );
    this.#writes.set(id, next);
    next.then(() => this.#writes.get(id) === next && this.#writes.delete(id));
    return next;
  }

  /** Waits until every change of CP `id` so far is in the database. */
  async persisted(id: string): Promise<void> {
    await this.#writes.get(id);
  }

  /** Waits until every state change is in the database. */
  async flushed(): Promise<void> {
    await Promise.all(this.#writes.values());
  }

  #emit(event: NetworkEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (e) {
        log.error(`listener failed: ${errorMessage(e)}`);
      }
    }
  }
}
