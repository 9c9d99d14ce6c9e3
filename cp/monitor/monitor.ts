/**
 * The Monitor: the CP's guardian. Two links, each kept up with reconnection and backoff:
 * - to its Engine: a health check (CHECK) every second; no answer, a KO or a closed connection
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
import { FramedLink, type RequestBody } from "../../shared/protocol/link.ts";
import type { Health, Reply, Request } from "../../shared/protocol/messages.ts";
import { RequestTimeoutError } from "../../shared/protocol/errors.ts";
import { Backoff } from "../../shared/backoff.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";
import { type Scheduler, timers } from "../../shared/scheduler.ts";
import { LoopLag } from "../../shared/loop_lag.ts";
import {
  AUTH_TIMEOUT_MS,
  CENTRAL_TIMEOUT_MS,
  CHECK_EVERY_MS,
  CHECK_TIMEOUT_MS,
  ENGINE_GRACE_MS,
  GIVE_UP_MS,
  REPORT_EVERY_MS,
} from "./patience.ts";

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
  engineHealth: Health = "KO";
  engineReachable = false;
  central: CentralLinkState = "connecting";
  /** The CP's state as Central last answered it. */
  cpState = "";
  /** The Central instance connected to, or being tried. */
  centralAt = "";
  /** Why Central refused us, when it did. */
  refusal = "";
  readonly notes: string[] = [];
  /** What the Engine says of its CP (from its health-check answers), used when not given here. */
  #engineLocation = "";
  #enginePrice: number | undefined;
  #engineLink: FramedLink | undefined;
  /** Resolves once the Engine answers OK: the first AUTH waits for it (a little while at most). */
  #engineKnown: Promise<void>;
  #knowEngine: () => void = () => {};
  #centralLink: FramedLink | undefined;
  /** The link Central fell silent on, kept open until a new one is registered. */
  #silentLink: FramedLink | undefined;
  /** Wakes the report loop when Central falls silent on its link. */
  #onSilent: (() => void) | undefined;
  #stop = new AbortController();
  #listeners = new Set<() => void>();
  #loops: Promise<void>[] = [];
  readonly #sleepers = new Set<() => void>();
  /** This process's lateness: the Monitor's deadlines count on-time waiting only. */
  readonly lag: LoopLag;
  readonly #ownLag: boolean;
  readonly #scheduler: Scheduler;

  constructor(readonly options: MonitorOptions) {
    this.#engineKnown = new Promise((resolve) => (this.#knowEngine = resolve));
    this.#scheduler = options.scheduler ?? timers;
    this.#ownLag = options.lag === undefined;
    this.lag = options.lag ?? new LoopLag({ scheduler: this.#scheduler, io: true });
  }

  /** Calls `listener` after every change. */
  onChange(listener: () => void): void {
    this.#listeners.add(listener);
  }

  /** Starts both links. */
  start(): void {
    this.#loops = [this.#engineLoop(), this.#centralLoop()];
  }

  /** Closes both links. */
  async stop(): Promise<void> {
    this.#stop.abort();
    for (const wake of [...this.#sleepers]) wake();
    this.#engineLink?.close();
    this.#centralLink?.close();
    this.#silentLink?.close();
    await Promise.all(this.#loops);
    if (this.#ownLag) this.lag.close();
  }

  /** Sleeps on the scheduler; a stop wakes every sleeper (no listener per sleep). */
  /** On-time ms since `since`: a stalled write is judged only on the time this process was on time. */
  readonly #onTimeSince = (since: number) => this.lag.onTimeMs(since);

  #sleep(ms: number): Promise<void> {
    if (this.#stop.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.#sleepers.delete(wake);
        cancel();
        resolve();
      };
      const cancel = this.#scheduler.after(ms, wake);
      this.#sleepers.add(wake);
    });
  }

  /**
   * Sends a request and waits for its answer; `undefined` when none came within `onTimeMs` of
   * waiting while this process was on time (that silence is evidence). Rejects when the link
   * closes, or after {@link GIVE_UP_MS} (or a quarter more than `onTimeMs`) without an answer nor
   * evidence (a Monitor late all along).
   */
  #ask(link: FramedLink, body: RequestBody, onTimeMs: number): Promise<Reply | undefined> {
    return new Promise((resolve, reject) => {
      const cancel = this.lag.afterOnTime(onTimeMs, () => resolve(undefined));
      // given up on only after the on-time wait could have ended (a long AUTH wait included)
      const timeoutMs = Math.max(GIVE_UP_MS, onTimeMs * 1.25);
      link.request(body, { timeoutMs }).then((reply) => {
        cancel();
        resolve(reply);
      }, (e) => {
        cancel();
        reject(e);
      });
    });
  }

  #note(text: string, level: "info" | "warn" = "info"): void {
    this.notes.push(`${new Date().toISOString().slice(11, 19)} ${text}`);
    if (this.notes.length > 50) this.notes.shift();
    log[level](text);
    this.#changed();
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }

  // ---- Engine side ----

  async #engineLoop(): Promise<void> {
    const backoff = new Backoff({ minMs: 200, maxMs: 2_000 });
    const signal = this.#stop.signal;
    let told = false;
    while (!signal.aborted) {
      let conn: Deno.TcpConn;
      try {
        conn = await Deno.connect(this.options.engine);
      } catch (e) {
        this.#setEngine("KO", false);
        if (!told) {
          this.#note(
            `engine unreachable at ${addr(this.options.engine)}: ${errorMessage(e)}`,
            "warn",
          );
        }
        told = true;
        await this.#sleep(backoff.next());
        continue;
      }
      told = false;
      const link = new FramedLink(conn, {
        onBadInput: (reason) => log.warn(`bad input from the engine: ${reason}`),
        quietSince: this.#onTimeSince,
        scheduler: this.#scheduler,
      });
      if (!(await this.#identify(link))) {
        link.close();
        this.#setEngine("KO", false);
        await this.#sleep(backoff.next());
        continue;
      }
      backoff.reset();
      this.#engineLink = link;
      this.#note(`engine connected at ${addr(this.options.engine)}`);
      this.#tellEngineAboutCentral();
      await this.#checkEngine(link);
      this.#engineLink = undefined;
      link.close();
      if (!signal.aborted) {
        // a closed connection is news at once: the Engine is KO until it answers again
        this.#setEngine("KO", false);
        this.#note(`engine connection lost (${link.closeReason ?? "closed"})`, "warn");
      }
    }
  }

  /**
   * Tells the Engine which CP they are (an Engine started without an id learns it so). False when
   * it is another CP's Engine; an older Engine that does not know IDENT is taken as it is.
   */
  async #identify(link: FramedLink): Promise<boolean> {
    try {
      const reply = await this.#ask(link, { type: "IDENT", cpId: this.options.id }, 2_000);
      if (!reply || reply.type === "ACK" || /unknown opcode/.test(reply.reason)) return true;
      this.#note(`engine at ${addr(this.options.engine)} refused: ${reply.reason}`, "warn");
      return false;
    } catch {
      return true; // no answer: the health checks will tell
    }
  }

  /** Checks the Engine every second until its link closes. */
  async #checkEngine(link: FramedLink): Promise<void> {
    const signal = this.#stop.signal;
    let closed = false;
    link.closed.then(() => (closed = true));
    while (!closed && !signal.aborted) {
      const started = performance.now();
      try {
        const reply = await this.#ask(link, { type: "CHECK" }, CHECK_TIMEOUT_MS);
        if (!reply) {
          // unanswered while this Monitor was on time: evidence
          if (closed || signal.aborted) return;
          this.#setEngine("KO", true);
          log.warn(`engine health check: no answer within ${CHECK_TIMEOUT_MS} ms`);
        } else {
          const health: Health = reply.type === "ACK" && reply.fields[0] === "OK" ? "OK" : "KO";
          if (reply.type === "ACK") {
            this.#engineLocation = reply.fields[1] ?? "";
            const price = Number(reply.fields[2] || NaN);
            this.#enginePrice = Number.isFinite(price) ? price : undefined;
          }
          this.#setEngine(health, true);
        }
      } catch (e) {
        if (closed || signal.aborted) return;
        // no answer, but the Monitor was late all along: nothing is known, nothing is reported
        if (!(e instanceof RequestTimeoutError)) {
          this.#setEngine("KO", true);
          log.warn(`engine health check: ${errorMessage(e)}`);
        }
      }
      const wait = CHECK_EVERY_MS - (performance.now() - started);
      await Promise.race([this.#sleep(Math.max(0, wait)), link.closed]);
    }
  }

  #setEngine(health: Health, reachable: boolean): void {
    if (health === "OK") this.#knowEngine();
    const changed = health !== this.engineHealth;
    this.engineReachable = reachable;
    if (!changed) return;
    this.engineHealth = health;
    this.#note(health === "OK" ? "engine OK" : "engine KO", health === "OK" ? "info" : "warn");
    this.#report();
  }

  #tellEngineAboutCentral(): void {
    const link = this.#engineLink;
    if (!link) return;
    link.request({ type: "CENTRAL", central: this.central === "connected" ? "UP" : "DOWN" })
      .catch(() => {});
  }

  // ---- Central side ----

  async #centralLoop(): Promise<void> {
    const backoff = new Backoff({ minMs: 300, maxMs: 5_000 });
    const signal = this.#stop.signal;
    const all = this.options.central;
    // an Engine starting up (connecting to Kafka) is not a fault: give it a moment to be ready,
    // then register with its true health, whatever it is
    await Promise.race([this.#engineKnown, this.#sleep(ENGINE_GRACE_MS)]);
    let index = 0;
    let failures = 0;
    while (!signal.aborted) {
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
        if (++failures % all.length === 0) await this.#sleep(backoff.next());
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
      if (signal.aborted) return;
      if (this.central === "connected" && !silent) {
        this.#setCentral("unreachable", `connection to Central at ${addr(central)} lost`);
      }
      if (all.length > 1) {
        // this instance went: the next one now
        index++;
        if (!registered && ++failures % all.length === 0) await this.#sleep(backoff.next());
      } else await this.#sleep(backoff.next());
    }
  }

  async #authenticate(
    link: FramedLink,
    central: { hostname: string; port: number },
  ): Promise<boolean> {
    const o = this.options;
    try {
      const reply = await this.#ask(link, {
        type: "AUTH",
        cpId: o.id,
        secret: o.secret,
        location: o.location || this.#engineLocation,
        pricePerKwh: o.pricePerKwh ?? this.#enginePrice,
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
    while (!ended && !this.#stop.signal.aborted) {
      await Promise.race([this.#sleep(REPORT_EVERY_MS), link.closed, silent]);
      if (ended || this.#stop.signal.aborted) break;
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
    this.#ask(link, { type: "HEALTH", health: this.engineHealth }, CENTRAL_TIMEOUT_MS)
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
      this.#tellEngineAboutCentral();
    }
  }

  /** Central's orders go to the Engine; Central gets the Engine's answer. */
  async #relayOrder(msg: Request): Promise<{ ack: string[] } | { nack: string }> {
    if (msg.type !== "STOP" && msg.type !== "RESUME") {
      return { nack: `${msg.type} is not an order` };
    }
    this.#note(`Central orders ${msg.type}`);
    const link = this.#engineLink;
    if (!link) return { nack: "engine unreachable" };
    try {
      const reply = await this.#ask(link, { type: msg.type }, CHECK_TIMEOUT_MS);
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
