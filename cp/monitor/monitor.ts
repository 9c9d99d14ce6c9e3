/**
 * The Monitor: the CP's guardian. Two links, each kept up with reconnection and backoff:
 * - to its Engine: a health check (CHECK) every second; no answer, a KO or a closed connection
 *   makes the Engine KO at once;
 * - to Central: authenticates the CP (AUTH), then reports the Engine's health (HEALTH) every
 *   second and at once on a change, and relays Central's orders (STOP/RESUME) to the Engine.
 *   Central may be several instances: when one is away (or goes), the next in the list is tried
 *   at once, and the CP registers there (its state is resynchronised by the AUTH).
 *
 * @module
 */
import { FramedLink } from "../../shared/protocol/link.ts";
import type { Health, Request } from "../../shared/protocol/messages.ts";
import { Backoff, sleep } from "../../shared/backoff.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";

const log = createLogger("monitor");

/** Time between two health checks (and two reports to Central). */
export const CHECK_EVERY_MS = 1_000;
/** A health check unanswered this long counts as KO. */
const CHECK_TIMEOUT_MS = 800;
/** How long the first registration waits for a starting Engine to answer OK. */
const ENGINE_GRACE_MS = 3_000;
/** Central silent this long (no ACK to our reports) is taken as gone. */
const CENTRAL_TIMEOUT_MS = 3_000;

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
  #stop = new AbortController();
  #listeners = new Set<() => void>();
  #loops: Promise<void>[] = [];

  constructor(readonly options: MonitorOptions) {
    this.#engineKnown = new Promise((resolve) => (this.#knowEngine = resolve));
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
    this.#engineLink?.close();
    this.#centralLink?.close();
    await Promise.all(this.#loops);
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
        await sleep(backoff.next(), signal);
        continue;
      }
      told = false;
      const link = new FramedLink(conn, {
        onBadInput: (reason) => log.warn(`bad input from the engine: ${reason}`),
        requestTimeoutMs: CHECK_TIMEOUT_MS,
      });
      if (!(await this.#identify(link))) {
        link.close();
        this.#setEngine("KO", false);
        await sleep(backoff.next(), signal);
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
      const reply = await link.request({ type: "IDENT", cpId: this.options.id });
      if (reply.type === "ACK" || /unknown opcode/.test(reply.reason)) return true;
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
        const reply = await link.request({ type: "CHECK" });
        const health: Health = reply.type === "ACK" && reply.fields[0] === "OK" ? "OK" : "KO";
        if (reply.type === "ACK") {
          this.#engineLocation = reply.fields[1] ?? "";
          const price = Number(reply.fields[2] || NaN);
          this.#enginePrice = Number.isFinite(price) ? price : undefined;
        }
        this.#setEngine(health, true);
      } catch (e) {
        if (closed || signal.aborted) return;
        this.#setEngine("KO", true);
        log.warn(`engine health check: ${errorMessage(e)}`);
      }
      const wait = CHECK_EVERY_MS - (performance.now() - started);
      await Promise.race([sleep(Math.max(0, wait), signal), link.closed]);
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
    await Promise.race([this.#engineKnown, sleep(ENGINE_GRACE_MS, signal)]);
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
        if (++failures % all.length === 0) await sleep(backoff.next(), signal);
        continue;
      }
      const link = new FramedLink(conn, {
        onRequest: (msg) => this.#relayOrder(msg),
        onBadInput: (reason) => log.warn(`bad input from Central: ${reason}`),
        requestTimeoutMs: CENTRAL_TIMEOUT_MS,
      });
      const registered = await this.#authenticate(link, central);
      if (registered) {
        backoff.reset();
        failures = 0;
        await this.#reportEverySecond(link);
        this.#centralLink = undefined;
      }
      link.close();
      await link.closed;
      if (signal.aborted) return;
      if (this.central === "connected") {
        this.#setCentral("unreachable", `connection to Central at ${addr(central)} lost`);
      }
      if (all.length > 1) {
        // this instance went: the next one now
        index++;
        if (!registered && ++failures % all.length === 0) await sleep(backoff.next(), signal);
      } else await sleep(backoff.next(), signal);
    }
  }

  async #authenticate(
    link: FramedLink,
    central: { hostname: string; port: number },
  ): Promise<boolean> {
    const o = this.options;
    try {
      const reply = await link.request({
        type: "AUTH",
        cpId: o.id,
        secret: o.secret,
        location: o.location || this.#engineLocation,
        pricePerKwh: o.pricePerKwh ?? this.#enginePrice,
        health: this.engineHealth,
      });
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

  async #reportEverySecond(link: FramedLink): Promise<void> {
    let closed = false;
    link.closed.then(() => (closed = true));
    while (!closed && !this.#stop.signal.aborted) {
      await Promise.race([sleep(CHECK_EVERY_MS, this.#stop.signal), link.closed]);
      if (closed || this.#stop.signal.aborted) return;
      try {
        const reply = await link.request({ type: "HEALTH", health: this.engineHealth });
        if (reply.type === "ACK") this.cpState = reply.fields[0] ?? this.cpState;
        this.#changed();
      } catch (e) {
        if (!closed) log.warn(`Central did not answer: ${errorMessage(e)}`);
        return;
      }
    }
  }

  /** Reports the Engine's health to Central now (a change is news at once). */
  #report(): void {
    this.#centralLink?.request({ type: "HEALTH", health: this.engineHealth })
      .then((reply) => {
        if (reply.type === "ACK") this.cpState = reply.fields[0] ?? this.cpState;
        this.#changed();
      })
      .catch(() => {});
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
      const reply = await link.request({ type: msg.type });
      return reply.type === "ACK" ? { ack: [] } : { nack: reply.reason };
    } catch (e) {
      return { nack: `engine did not answer: ${errorMessage(e)}` };
    }
  }
}

function addr(a: { hostname: string; port: number }): string {
  return `${a.hostname}:${a.port}`;
}
