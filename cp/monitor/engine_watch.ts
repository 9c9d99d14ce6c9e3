/**
 * The Monitor's link to its Engine: connects (with backoff), tells the Engine which CP they are
 * (IDENT), then checks it (CHECK) every second, or sooner while it says KO, until the connection
 * ends. No answer while this process was on time, a KO or a closed connection make the Engine KO
 * at once; an answer the Monitor was too late to wait for judges nothing.
 *
 * @module
 */
import { FramedLink } from "../../shared/protocol/link.ts";
import type { Health, Reply } from "../../shared/protocol/messages.ts";
import { RequestTimeoutError } from "../../shared/protocol/errors.ts";
import { Backoff } from "../../shared/backoff.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";
import type { Scheduler } from "../../shared/scheduler.ts";
import type { LoopLag } from "../../shared/loop_lag.ts";
import { askOnTime, type Pauses } from "./asking.ts";
import { CHECK_EVERY_MS, CHECK_TIMEOUT_MS, RECHECK_KO_MS } from "./patience.ts";

const log = createLogger("monitor");

/** What the watch needs of its Monitor. */
export interface EngineWatchOptions {
  cpId: string;
  engine: { hostname: string; port: number };
  lag: LoopLag;
  scheduler: Scheduler;
  pauses: Pauses;
  /** A line for the Monitor's events. */
  note(text: string, level?: "info" | "warn"): void;
  /** The Engine's health changed (a change is news for Central at once). */
  changed(health: Health): void;
  /** Whether the Monitor is registered with Central now (told to the Engine). */
  centralUp(): boolean;
}

/** The Engine as its Monitor knows it. */
export class EngineWatch {
  health: Health = "KO";
  reachable = false;
  /** What the Engine says of its CP (from its health-check answers). */
  location = "";
  pricePerKwh: number | undefined;
  /** Resolves once the Engine answers OK. */
  readonly known: Promise<void>;
  #know: () => void = () => {};
  /**
   * Resolves once there is evidence of the Engine's health (an answer, a refused or closed
   * connection, silence while on time): until then {@link EngineWatch.health} is nobody's finding.
   */
  readonly judged: Promise<void>;
  #judge: () => void = () => {};
  #link: FramedLink | undefined;

  constructor(private readonly o: EngineWatchOptions) {
    this.known = new Promise((resolve) => (this.#know = resolve));
    this.judged = new Promise((resolve) => (this.#judge = resolve));
  }

  /** Keeps the link up until the Monitor stops. */
  async run(): Promise<void> {
    const { o } = this;
    // the Engine is on this CP's own PC: a refused connection costs nothing, so a restarted Engine
    // is found within half a second (tries up to 2 s apart made its CP wait up to that)
    const backoff = new Backoff({ minMs: 100, maxMs: 500 });
    let told = false;
    while (!o.pauses.stopped) {
      let conn: Deno.TcpConn;
      try {
        conn = await Deno.connect(o.engine);
      } catch (e) {
        this.#set("KO", false);
        if (!told) o.note(`engine unreachable at ${this.#at()}: ${errorMessage(e)}`, "warn");
        told = true;
        await o.pauses.sleep(backoff.next());
        continue;
      }
      told = false;
      const link = new FramedLink(conn, {
        onBadInput: (reason) => log.warn(`bad input from the engine: ${reason}`),
        quietSince: (since) => o.lag.onTimeMs(since),
        scheduler: o.scheduler,
      });
      if (!(await this.#identify(link))) {
        link.close();
        this.#set("KO", false);
        await o.pauses.sleep(backoff.next());
        continue;
      }
      backoff.reset();
      this.#link = link;
      o.note(`engine connected at ${this.#at()}`);
      this.tellAboutCentral();
      await this.#check(link);
      this.#link = undefined;
      link.close();
      if (!o.pauses.stopped) {
        // a closed connection is news at once: the Engine is KO until it answers again
        this.#set("KO", false);
        o.note(`engine connection lost (${link.closeReason ?? "closed"})`, "warn");
      }
    }
  }

  /** Whether the link to the Engine is up. */
  get linked(): boolean {
    return this.#link !== undefined;
  }

  /** Asks the Engine (an order of Central's); `undefined` when it did not answer in time. */
  ask(body: { type: "STOP" | "RESUME" }): Promise<Reply | undefined> {
    if (!this.#link) return Promise.reject(new Error("not connected"));
    return askOnTime(this.o.lag, this.#link, body, CHECK_TIMEOUT_MS);
  }

  /** Tells the Engine whether its CP is registered with Central. */
  tellAboutCentral(): void {
    this.#link?.request({ type: "CENTRAL", central: this.o.centralUp() ? "UP" : "DOWN" })
      .catch(() => {});
  }

  /** Ends the link. */
  close(): void {
    this.#link?.close();
  }

  /**
   * Tells the Engine which CP they are (an Engine started without an id learns it so). False when
   * it is another CP's Engine; an older Engine that does not know IDENT is taken as it is.
   */
  async #identify(link: FramedLink): Promise<boolean> {
    try {
      const reply = await askOnTime(this.o.lag, link, { type: "IDENT", cpId: this.o.cpId }, 2_000);
      if (!reply || reply.type === "ACK" || /unknown opcode/.test(reply.reason)) return true;
      this.o.note(`engine at ${this.#at()} refused: ${reply.reason}`, "warn");
      return false;
    } catch {
      return true; // no answer: the health checks will tell
    }
  }

  /** Checks the Engine every second (sooner while it says KO) until its link closes. */
  async #check(link: FramedLink): Promise<void> {
    const { pauses, lag } = this.o;
    let closed = false;
    link.closed.then(() => (closed = true));
    while (!closed && !pauses.stopped) {
      const started = performance.now();
      let every = CHECK_EVERY_MS;
      try {
        const reply = await askOnTime(lag, link, { type: "CHECK" }, CHECK_TIMEOUT_MS);
        if (!reply) {
          // unanswered while this Monitor was on time: evidence
          if (closed || pauses.stopped) return;
          this.#set("KO", true);
          log.warn(`engine health check: no answer within ${CHECK_TIMEOUT_MS} ms`);
        } else {
          const health: Health = reply.type === "ACK" && reply.fields[0] === "OK" ? "OK" : "KO";
          if (health === "KO") every = RECHECK_KO_MS;
          if (reply.type === "ACK") {
            this.location = reply.fields[1] ?? "";
            const price = Number(reply.fields[2] || NaN);
            this.pricePerKwh = Number.isFinite(price) ? price : undefined;
          }
          this.#set(health, true);
        }
      } catch (e) {
        if (closed || pauses.stopped) return;
        // no answer, but the Monitor was late all along: nothing is known, nothing is reported
        if (!(e instanceof RequestTimeoutError)) {
          this.#set("KO", true);
          log.warn(`engine health check: ${errorMessage(e)}`);
        }
      }
      const wait = every - (performance.now() - started);
      await Promise.race([pauses.sleep(Math.max(0, wait)), link.closed]);
    }
  }

  #set(health: Health, reachable: boolean): void {
    if (health === "OK") this.#know();
    this.#judge();
    this.reachable = reachable;
    if (health === this.health) return;
    this.health = health;
    this.o.note(health === "OK" ? "engine OK" : "engine KO", health === "OK" ? "info" : "warn");
    this.o.changed(health);
  }

  #at(): string {
    return `${this.o.engine.hostname}:${this.o.engine.port}`;
  }
}
