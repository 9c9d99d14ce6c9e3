/**
 * The Monitor: the CP's guardian. Two links, each kept up with reconnection and backoff:
 * - to its Engine (`engine_watch.ts`): a health check (CHECK) every second; no answer, a KO or a closed connection
 *   makes the Engine KO at once;
 * - to Central: authenticates the CP (AUTH), then reports the Engine's health (HEALTH) every
 *   2 s and at once on a change, and relays Central's orders (STOP/RESUME) to the Engine.
 *   Central may be several instances: when one is away (or goes), the next in the list is tried
 *   at once, and the CP registers there (its state is resynchronised by the AUTH).
 *
 * Central silent on a link (no answer for {@link CENTRAL_TIMEOUT_MS}, this Monitor on time) is not
 * a closed link: it may only be late. The Monitor registers again on a new connection and keeps
 * the silent one open until the new one is accepted (Central takes the new link for the CP's, no
 * state changes), so a Central that was late for a while finds its CPs as they were.
 *
 * Overload is not a fault: silence is evidence only while the Monitor itself was on time. Every
 * deadline (a CHECK's answer, Central's answers) counts on-time waiting only ({@link LoopLag}), so
 * a Monitor whose own event loop was late, or whose process was stopped, never reports its
 * Engine KO nor drops Central for it. A KO answer, a refused or closed connection, or silence
 * while on time are the evidence. Reports to Central go out every 2 s whether or not the last
 * one was answered yet, so a slow Central still hears from its CPs every 2 s.
 *
 * @module
 */
import { FramedLink } from "../../shared/protocol/link.ts";
import type { Health, Request } from "../../shared/protocol/messages.ts";
import { Backoff } from "../../shared/backoff.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";
import { type Scheduler, timers } from "../../shared/scheduler.ts";
import { LoopLag } from "../../shared/loop_lag.ts";
import {
  AUTH_TIMEOUT_MS,
  CENTRAL_TIMEOUT_MS,
  CHECK_TIMEOUT_MS,
  ENGINE_GRACE_MS,
  REPORT_EVERY_MS,
} from "./patience.ts";
import { askOnTime, Pauses } from "./asking.ts";
import { EngineWatch } from "./engine_watch.ts";

const log = createLogger("monitor");

/** Where the Monitor connects, and who it is. */
export interface MonitorOptions {
  id: string;
  secret: string;
  /** Sent at registration; empty keeps what Central has. */
  location: string;
  /** Sent at registration; undefined keeps what Central has. */
  pricePerKwh?: number;
  engine: { hostname: string; port: number };
  /** Central's instances, tried in turn. */
  central: { hostname: string; port: number }[];
  /** This process's lateness (a fleet shares one). @default one of its own */
  lag?: LoopLag;
  /** Where its checks, reports and pauses wait (a fleet shares a timer wheel). @default timers */
  scheduler?: Scheduler;
}

/** What Central made of us. */
export type CentralLinkState = "connecting" | "connected" | "refused" | "unreachable";

/** The Monitor's state and its two links. */
export class Monitor {
  central: CentralLinkState = "connecting";
  /** The Engine's health, as its last check found it. */
  get engineHealth(): Health {
    return this.#engine.health;
  }
  /** Whether the Engine answered its last check. */
  get engineReachable(): boolean {
    return this.#engine.reachable;
  }
  /** The CP's state as Central last answered it. */
  cpState = "";
  /** The Central instance connected to, or being tried. */
  centralAt = "";
  /** Why Central refused us, when it did. */
  refusal = "";
  readonly notes: string[] = [];
  readonly #engine: EngineWatch;
  readonly #pauses: Pauses;
  #centralLink: FramedLink | undefined;
  /** The link Central fell silent on, kept open until a new one is registered. */
  #silentLink: FramedLink | undefined;
  /** Wakes the report loop when Central falls silent on its link. */
  #onSilent: (() => void) | undefined;
  #listeners = new Set<() => void>();
  #loops: Promise<void>[] = [];
  /** This process's lateness: the Monitor's deadlines count on-time waiting only. */
  readonly lag: LoopLag;
  readonly #ownLag: boolean;
  readonly #scheduler: Scheduler;

  constructor(readonly options: MonitorOptions) {
    this.#scheduler = options.scheduler ?? timers;
    this.#ownLag = options.lag === undefined;
    this.lag = options.lag ?? new LoopLag({ scheduler: this.#scheduler, io: true });
    this.#pauses = new Pauses(this.#scheduler);
    this.#engine = new EngineWatch({
      cpId: options.id,
      engine: options.engine,
      lag: this.lag,
      scheduler: this.#scheduler,
      pauses: this.#pauses,
      note: (text, level) => this.#note(text, level),
      changed: () => this.#report(),
      centralUp: () => this.central === "connected",
    });
  }

  /** Calls `listener` after every change. */
  onChange(listener: () => void): void {
    this.#listeners.add(listener);
  }

  /** Starts both links. */
  start(): void {
    this.#loops = [this.#engine.run(), this.#centralLoop()];
  }

  /** Closes both links. */
  async stop(): Promise<void> {
    this.#pauses.stop();
    this.#engine.close();
    this.#centralLink?.close();
    this.#silentLink?.close();
    await Promise.all(this.#loops);
    if (this.#ownLag) this.lag.close();
  }

  /** On-time ms since `since`: a stalled write is judged only on the time this process was on time. */
  readonly #onTimeSince = (since: number) => this.lag.onTimeMs(since);

  #note(text: string, level: "info" | "warn" = "info"): void {
    this.notes.push(`${new Date().toISOString().slice(11, 19)} ${text}`);
    if (this.notes.length > 50) this.notes.shift();
    log[level](text);
    this.#changed();
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }

  // ---- Central side ----

  async #centralLoop(): Promise<void> {
    const backoff = new Backoff({ minMs: 300, maxMs: 5_000 });
    const all = this.options.central;
    await this.#firstFinding();
    let index = 0;
    let failures = 0;
    while (!this.#pauses.stopped) {
      const central = all[index % all.length];
      this.centralAt = addr(central);
      let conn: Deno.TcpConn;
      try {
        conn = await Deno.connect(central);
      } catch (e) {
        this.#setCentral(
          "unreachable",
          `Central unreachable at ${addr(central)}: ${errorMessage(e)}`,
        );
        index++;
        // the next instance at once; a pause only once every one of them was tried
        if (++failures % all.length === 0) await this.#pauses.sleep(backoff.next());
        continue;
      }
      const link = new FramedLink(conn, {
        onRequest: (msg) => this.#relayOrder(msg),
        onBadInput: (reason) => log.warn(`bad input from Central: ${reason}`),
        quietSince: this.#onTimeSince,
        scheduler: this.#scheduler,
      });
      const registered = await this.#authenticate(link, central);
      let silent = false;
      if (registered) {
        // the new link stands in for the one Central fell silent on
        this.#silentLink?.close();
        this.#silentLink = undefined;
        backoff.reset();
        failures = 0;
        silent = await this.#reportPeriodically(link) === "silent";
      }
      if (silent) this.#silentLink = link;
      else {
        if (this.#centralLink === link) this.#centralLink = undefined;
        link.close();
        await link.closed;
      }
      if (this.#pauses.stopped) return;
      if (this.central === "connected" && !silent) {
        this.#setCentral(
          "unreachable",
          `connection to Central at ${addr(central)} lost (${link.closeReason ?? "closed"})`,
        );
      }
      if (all.length > 1) {
        // this instance went: the next one now
        index++;
        if (!registered && ++failures % all.length === 0) await this.#pauses.sleep(backoff.next());
      } else await this.#pauses.sleep(backoff.next());
    }
  }

  /**
   * Waits for the Engine to be found OK; an Engine starting up (connecting to Kafka) is not a fault,
   * so one that says KO, or cannot be reached, gets a moment to be ready; then the CP registers
   * with its health as found. Both waits count on-time only, and a health nobody found is never
   * registered: a fleet 10 s late registered 9,000 CPs faulted whose Engines had not been asked.
   */
  async #firstFinding(): Promise<void> {
    const { known, judged } = this.#engine;
    await Promise.race([
      known,
      this.#pauses.sleepOnTime(this.lag, ENGINE_GRACE_MS).then(() => judged),
      // no finding by then, while on time, is one: the Engine does not answer
      this.#pauses.sleepOnTime(this.lag, ENGINE_GRACE_MS + CHECK_TIMEOUT_MS),
    ]);
  }

  async #authenticate(
    link: FramedLink,
    central: { hostname: string; port: number },
  ): Promise<boolean> {
    const o = this.options;
    try {
      const reply = await askOnTime(this.lag, link, {
        type: "AUTH",
        cpId: o.id,
        secret: o.secret,
        location: o.location || this.#engine.location,
        pricePerKwh: o.pricePerKwh ?? this.#engine.pricePerKwh,
        health: this.engineHealth,
      }, AUTH_TIMEOUT_MS);
      if (!reply) {
        this.#setCentral(
          "unreachable",
          `no answer from Central to AUTH in ${AUTH_TIMEOUT_MS} ms`,
        );
        return false;
      }
      if (reply.type === "NACK") {
        this.refusal = reply.reason;
        this.#setCentral("refused", `Central refused ${o.id}: ${reply.reason}`);
        return false;
      }
      this.refusal = "";
      this.cpState = reply.fields[0] ?? "";
      this.#centralLink = link;
      this.#setCentral("connected", `registered with Central at ${addr(central)} as ${o.id}`);
      // the Engine may have changed while AUTH was on its way
      this.#report();
      return true;
    } catch (e) {
      this.#setCentral("unreachable", `no answer from Central to AUTH: ${errorMessage(e)}`);
      return false;
    }
  }

  /**
   * Reports every {@link REPORT_EVERY_MS} (not waiting for the last answer) until the link closes, or Central
   * falls silent on it (then it stays open: the caller registers again meanwhile).
   */
  async #reportPeriodically(link: FramedLink): Promise<"closed" | "silent"> {
    let ended: "closed" | "silent" | undefined;
    link.closed.then(() => (ended ??= "closed"));
    const silent = new Promise<void>((resolve) =>
      this.#onSilent = () => {
        ended ??= "silent";
        resolve();
      }
    );
    while (!ended && !this.#pauses.stopped) {
      await Promise.race([this.#pauses.sleep(REPORT_EVERY_MS), link.closed, silent]);
      if (ended || this.#pauses.stopped) break;
      this.#reportOn(link);
    }
    this.#onSilent = undefined;
    return ended ?? "closed";
  }

  /** Reports the Engine's health to Central now (a change is news at once). */
  #report(): void {
    if (this.#centralLink) this.#reportOn(this.#centralLink);
  }

  /** One HEALTH report; Central silent while this Monitor was on time is gone (the link ends). */
  #reportOn(link: FramedLink): void {
    askOnTime(this.lag, link, { type: "HEALTH", health: this.engineHealth }, CENTRAL_TIMEOUT_MS)
      .then((reply) => {
        if (!reply) {
          if (link.closeReason === undefined && link === this.#centralLink && this.#onSilent) {
            log.warn(
              `Central did not answer within ${CENTRAL_TIMEOUT_MS} ms: registering again ` +
                "(this connection kept until then)",
            );
            this.#onSilent();
          }
          return;
        }
        if (reply.type === "ACK") this.cpState = reply.fields[0] ?? this.cpState;
        this.#changed();
      })
      .catch(() => {}); // closed: the loop sees it; given up while late: the next one asks again
  }

  #setCentral(state: CentralLinkState, text: string): void {
    const changed = state !== this.central;
    this.central = state;
    if (changed) {
      this.#note(text, state === "connected" ? "info" : "warn");
      this.#engine.tellAboutCentral();
    }
  }

  /** Central's orders go to the Engine; Central gets the Engine's answer. */
  async #relayOrder(msg: Request): Promise<{ ack: string[] } | { nack: string }> {
    if (msg.type !== "STOP" && msg.type !== "RESUME") {
      return { nack: `${msg.type} is not an order` };
    }
    this.#note(`Central orders ${msg.type}`);
    if (!this.#engine.linked) return { nack: "engine unreachable" };
    try {
      const reply = await this.#engine.ask({ type: msg.type });
      if (!reply) return { nack: `engine did not answer within ${CHECK_TIMEOUT_MS} ms` };
      return reply.type === "ACK" ? { ack: [] } : { nack: reply.reason };
    } catch (e) {
      return { nack: `engine did not answer: ${errorMessage(e)}` };
    }
  }
}

function addr(a: { hostname: string; port: number }): string {
  return `${a.hostname}:${a.port}`;
}
