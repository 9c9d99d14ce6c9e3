/**
 * The Engine: the CP's hardware, simulated. It holds its health, the operator's order, whether
 * Central is reachable, and the supply in progress (kept on disk so that a restarted Engine can
 * report how an interrupted supply ended). Inputs are its line commands, its Monitor's orders and
 * Central's authorizations; outputs go through an {@link Uplink} (Kafka) and change listeners.
 *
 * @module
 */
import {
  authorized,
  ended,
  type EndReason,
  plugged,
  powerNow,
  type Supply,
  type SupplyEnd,
  tick,
} from "./supply.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";
import { lineWord } from "../../shared/aliases.ts";
import { Journal, type Kept } from "./journal.ts";
import { type Cancel, type Scheduler, timers } from "../../shared/scheduler.ts";

const log = createLogger("engine");

/** What the Engine tells Central (over Kafka). */
export interface Uplink {
  started(supply: Supply): void;
  progress(supply: Supply): void;
  /** Resolves once the end is safely published (until then the Engine keeps it on disk). */
  ended(end: SupplyEnd): Promise<void>;
  /** A supply asked for at the CP itself. */
  request(driverId: string): void;
}

/** How the Engine is set up. */
export interface EngineOptions {
  id: string;
  /** Where the CP is, told to its Monitor for registration (none: as enrolled). */
  location?: string;
  /** Price per kWh, told to its Monitor for registration (none: as enrolled). */
  pricePerKwh?: number;
  /** Largest power the CP delivers, kW. */
  maxKw: number;
  /** Journal file the ongoing supply is kept in ({@link Journal}; none: in memory only, as the simulator does). */
  stateFile?: string;
  /** Seconds after an authorization to plug in by itself (demos, tests). */
  autoPlug?: number;
  /** Seconds of supply after which to unplug by itself. */
  autoUnplug?: number;
  /** Where its one-second tick and its delays run (a fleet shares a timer wheel). @default timers */
  scheduler?: Scheduler;
}

/** The Engine's state and behaviour. */
export class Engine {
  health: "OK" | "KO" = "OK";
  stopped = false;
  centralUp = false;
  monitorConnected = false;
  /** Central's orders can reach it (its Kafka side follows them): until then it is not OK. */
  kafkaReady = false;
  supply: Supply | undefined;
  lastEnd: SupplyEnd | undefined;
  /** Ends not yet confirmed by Kafka: kept on disk, sent again after a restart. */
  pendingEnds: SupplyEnd[] = [];
  readonly notes: string[] = [];
  #uplink: Uplink | undefined;
  #listeners = new Set<() => void>();
  #timers = new Set<Cancel>();
  #ticker: Cancel | undefined;
  readonly #scheduler: Scheduler;
  readonly #journal: Journal | undefined;

  constructor(readonly options: EngineOptions) {
    this.#scheduler = options.scheduler ?? timers;
    if (options.stateFile) this.#journal = new Journal(options.stateFile);
  }

  /** What the Engine answers to a health check: OK only when healthy and able to hear Central. */
  get checkHealth(): "OK" | "KO" {
    return this.health === "OK" && this.kafkaReady ? "OK" : "KO";
  }

  /** The Kafka side follows Central's orders now (or no longer). */
  setKafkaReady(ready: boolean): void {
    if (this.kafkaReady === ready) return;
    this.kafkaReady = ready;
    this.note(ready ? "connected to Kafka" : "Kafka cannot be reached");
  }

  /** Connects the Kafka side. */
  setUplink(uplink: Uplink): void {
    this.#uplink = uplink;
  }

  /** Calls `listener` after every change. */
  onChange(listener: () => void): void {
    this.#listeners.add(listener);
  }

  /** Starts the one-second ticker; reports a supply interrupted by the previous run. */
  async start(): Promise<void> {
    const kept = await this.#readKept();
    for (const end of kept.pendingEnds) this.#publishEnd(end);
    if (kept.supply) {
      this.supply = kept.supply;
      this.note(
        `supply ${kept.supply.sessionId} of ${kept.supply.driverId} was interrupted: reporting its end`,
      );
      this.#end("restart");
    }
    this.#ticker = this.#scheduler.every(1000, () => this.#tick());
  }

  /** Stops the ticker and timers. */
  stop(): void {
    this.#ticker?.();
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
  }

  /** A line command (typed, or from stdin); returns what happened, for people. */
  command(line: string): string {
    const [verb = "", arg] = line.trim().split(/\s+/);
    switch (lineWord("engine", verb)) { // the original INIT, END and K too
      case "F":
      case "FAIL":
        return this.fail();
      case "R":
      case "RECOVER":
        return this.recover();
      case "I":
      case "PLUG":
        return this.plug();
      case "E":
      case "UNPLUG":
        return this.unplug();
      case "REQUEST":
        return this.requestAtCp(arg);
      default:
        return this.note(
          `unknown command '${line}': F/FAIL, R/RECOVER, I/PLUG, E/UNPLUG, REQUEST <driver>`,
        );
    }
  }

  /** KO: an ongoing supply ends at once with what was supplied. */
  fail(): string {
    this.health = "KO";
    if (this.supply) this.#end("fault");
    return this.note("engine KO (fault simulated)");
  }

  /** OK again. */
  recover(): string {
    this.health = "OK";
    return this.note("engine OK (recovered)");
  }

  /** The car is plugged in: an authorized supply starts. */
  plug(): string {
    if (!this.supply) return this.note("no authorized supply: nothing to start");
    if (this.supply.phase === "charging") return this.note("already supplying");
    if (this.health === "KO") return this.note("engine KO: cannot supply");
    this.supply = plugged(this.supply, Date.now());
    this.#keep();
    this.#uplink?.started(this.supply);
    if (this.options.autoUnplug !== undefined) {
      const session = this.supply.sessionId;
      this.#after(
        this.options.autoUnplug,
        () => this.supply?.sessionId === session && this.unplug(),
      );
    }
    return this.note(`supplying ${this.supply.driverId}`);
  }

  /** The car is unplugged: the supply ends. */
  unplug(): string {
    if (this.supply?.phase !== "charging") return this.note("nothing is plugged in");
    this.#end("unplugged");
    return this.note("unplugged: supply ended");
  }

  /** A supply asked for at the CP, for a driver id: Central authorizes it like any other. */
  requestAtCp(driverId: string | undefined): string {
    if (!driverId) return this.note("REQUEST needs a driver id");
    if (!this.centralUp) return this.note("Central cannot be reached: no new supply now");
    if (this.stopped) return this.note("CP stopped by the operator: no new supply");
    if (this.health === "KO") return this.note("engine KO: no new supply");
    if (this.supply) return this.note("a supply is in progress already");
    this.#uplink?.request(driverId);
    return this.note(`supply requested for ${driverId}; waiting for Central`);
  }

  /** Central authorized a supply here. */
  authorize(sessionId: string, driverId: string, pricePerKwh: number): void {
    if (this.supply?.sessionId === sessionId) return; // a redelivered authorization
    if (this.supply?.phase === "charging") {
      this.note(
        `authorization ${sessionId} for ${driverId} ignored: supply ${this.supply.sessionId} in progress`,
      );
      return;
    }
    // Central authorizes only a CP it sees free: a reservation still held here is stale
    if (this.supply) {
      this.note(`reservation of ${this.supply.driverId} dropped: Central released it`);
    }
    this.supply = authorized(sessionId, driverId, pricePerKwh, Date.now());
    this.#keep();
    this.note(`authorized: ${driverId} (plug the car in: I)`);
    if (this.options.autoPlug !== undefined) {
      this.#after(this.options.autoPlug, () => this.supply?.sessionId === sessionId && this.plug());
    }
  }

  /** Central ends a supply (its stop order, or an unused reservation released). */
  cancel(sessionId: string, reason: EndReason): void {
    if (this.supply?.sessionId !== sessionId) return;
    this.#end(reason);
  }

  /** The operator's stop (relayed by the Monitor): an ongoing supply ends with its ticket. */
  stopOrder(): void {
    const was = this.stopped;
    this.stopped = true;
    if (this.supply) this.#end("stopped");
    if (!was) this.note("stopped by the operator");
  }

  /** The operator's resume. */
  resumeOrder(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.note("resumed by the operator");
  }

  /** Central became reachable or not (the Monitor tells). */
  setCentralUp(up: boolean): void {
    if (this.centralUp === up) return;
    this.centralUp = up;
    this.note(up ? "Central reachable" : "Central cannot be reached");
  }

  /** Adds a line for people (panel or log); returns it. */
  note(text: string): string {
    this.notes.push(`${new Date().toISOString().slice(11, 19)} ${text}`);
    if (this.notes.length > 50) this.notes.shift();
    log.info(text);
    this.changed();
    return text;
  }

  /** Tells the listeners something changed. */
  changed(): void {
    for (const l of this.#listeners) l();
  }

  #tick(): void {
    if (this.supply?.phase !== "charging") return;
    this.supply = tick(this.supply, 1, powerNow(this.options.maxKw));
    this.#keep();
    this.#uplink?.progress(this.supply);
    this.changed();
  }

  #end(reason: EndReason): void {
    const supply = this.supply!;
    this.supply = undefined;
    this.lastEnd = ended(supply, reason, Date.now());
    this.#publishEnd(this.lastEnd);
    this.changed();
  }

  // Kept on disk until Kafka has it; a failed send is tried again (the energy must be billed).
  #publishEnd(end: SupplyEnd): void {
    if (!this.pendingEnds.includes(end)) this.pendingEnds.push(end);
    this.#keep();
    this.#uplink?.ended(end).then(() => {
      this.pendingEnds = this.pendingEnds.filter((e) => e !== end);
      this.#keep();
    }).catch((e) => {
      log.warn(`end of ${end.sessionId} not published yet (${errorMessage(e)}): trying again`);
      this.#after(5, () => this.#publishEnd(end));
    });
  }

  #after(seconds: number, fn: () => void): void {
    const cancel = this.#scheduler.after(seconds * 1000, () => {
      this.#timers.delete(cancel);
      fn();
    });
    this.#timers.add(cancel);
  }

  #keep(): void {
    this.#journal?.write({ supply: this.supply, pendingEnds: this.pendingEnds });
  }

  async #readKept(): Promise<Kept> {
    return await this.#journal?.read() ?? { pendingEnds: [] };
  }
}
