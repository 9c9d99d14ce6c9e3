/**
 * The shell around Central's core: it holds the state, feeds the core one input at a time and
 * carries out the effects it returns, in their order, through the adapters (database, Kafka,
 * Monitor links, views). Database effects of one CP run one after the other (a CP's writes land
 * in the order its facts happened); effects that are answered (a claim, a stored end, a loaded
 * session) feed their answer back as the next input.
 *
 * `dispatch` resolves once every effect of the input, and of the answers it led to, is done:
 * a consumer commits a record's offset only then. A deterministic failure rejects it with a
 * {@link DeterministicError}, so that its record is set aside instead of retried forever.
 *
 * @module
 */
import { step } from "../core/step.ts";
import type { CoreState } from "../core/state.ts";
import type { Effect, Order } from "../core/effects.ts";
import type { Input } from "../core/inputs.ts";
import type { EventBody, Ticket } from "../../shared/events.ts";
import { LatestPerKey } from "./latest_per_key.ts";
import type { SessionRepo } from "../db/session_repo.ts";
import type { CpRepo } from "../db/cp_repo.ts";
import { DeterministicError, retrying } from "./failures.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";

const log = createLogger("central");

/** A ticket whose publishing failed is tried again after this long. */
const TICKET_RETRY_MS = 5_000;

/** What the shell carries effects out with. */
export interface ShellPorts {
  sessions: Pick<
    SessionRepo,
    | "claim"
    | "started"
    | "end"
    | "expire"
    | "load"
    | "claimTicket"
    | "ticketSent"
    | "releaseTicket"
  >;
  cps: Pick<CpRepo, "saveState">;
  /** Publishes an event (resolves when the broker has it). */
  publish(body: EventBody): Promise<void>;
  /** Relays an order to a CP's Monitor through the instance holding its link. */
  orderMonitor(cpId: string, holder: string, linkId: string, order: Order): void;
  /** Keeps the latest figures of a live supply (saved with others, every few seconds). */
  saveProgress(sessionId: string, figures: { kw: number; kwh: number; eur: number }): void;
  /** A CP's view changed (`figures`: only its figures), or it is gone. */
  viewChanged(cpId: string, figures: boolean): void;
  viewForgotten(cpId: string): void;
  message(text: string, level: "info" | "warn" | "error"): void;
  count(outcome: string): void;
}

/** Runs Central's core. */
export class Shell {
  readonly #chains = new Map<string, Promise<unknown>>();
  /** Tickets being published by this instance right now: never sent twice at once. */
  readonly #sending = new Set<string>();
  readonly #stop = new AbortController();
  readonly #retries = new Set<ReturnType<typeof setTimeout>>();
  /**
   * Progress goes out once per turn and supply: when Central is behind (a batch holds several
   * records of one supply), only the latest figures are relayed.
   */
  readonly #progress: LatestPerKey<EventBody>;

  constructor(readonly state: CoreState, private readonly ports: ShellPorts) {
    this.#progress = new LatestPerKey((e) => ports.publish(e));
  }

  /** Applies one fact; resolves once everything it led to is done. */
  dispatch(input: Input): Promise<void> {
    let effects: Effect[];
    try {
      effects = step(this.state, input, Date.now());
    } catch (e) {
      // a rule that throws on some input would throw again: the record is set aside
      return Promise.reject(new DeterministicError(`core: ${errorMessage(e)}`, { cause: e }));
    }
    return this.#run(effects);
  }

  /** Stops retrying (Central is stopping). */
  close(): void {
    this.#stop.abort();
    for (const t of this.#retries) clearTimeout(t);
  }

  async #run(effects: Effect[]): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const effect of effects) {
      const done = this.#execute(effect);
      if (done) pending.push(done);
    }
    const results = await Promise.allSettled(pending);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  #execute(e: Effect): Promise<void> | undefined {
    const p = this.ports;
    switch (e.type) {
      case "notify":
        if (e.event.type === "progress") {
          // not waited for: a lost progress line is made good by the next one, a second later,
          // and a partition's next records must not wait for the broker's answer
          this.#progress.push(e.event.sessionId, e.event).catch((err) =>
            log.debug(`progress not relayed: ${errorMessage(err)}`)
          );
          return;
        }
        return p.publish(e.event);
      case "command":
        return p.publish(e.event);
      case "orderMonitor":
        p.orderMonitor(e.cpId, e.holder, e.linkId, e.order);
        return;
      case "saveProgress":
        p.saveProgress(e.sessionId, e);
        return;
      case "announce":
        p.viewChanged(e.cpId, e.figures ?? false);
        return;
      case "forget":
        p.viewForgotten(e.cpId);
        return;
      case "message":
        p.message(e.text, e.level);
        return;
      case "count":
        p.count(e.outcome);
        return;
      case "saveCp":
        return this.#db(
          e.cpId,
          `saving the state of ${e.cpId}`,
          () => p.cps.saveState(e.cpId, e.state, e.stopped),
        );
      case "saveStarted":
        return this.#db(
          e.cpId,
          `recording the start of ${e.sessionId}`,
          () => p.sessions.started(e.sessionId, new Date(e.at)),
        );
      case "storeExpiry":
        return this.#db(
          e.cpId,
          `releasing ${e.sessionId}`,
          () => p.sessions.expire(e.sessionId, e.reason),
        );
      case "claim":
        return this.#answered(
          e.session.cpId,
          `recording the supply ${e.session.id}`,
          async () => {
            const refusal = await p.sessions.claim(e.session);
            const ids = { cpId: e.session.cpId, sessionId: e.session.id };
            return refusal
              ? { type: "claimRefused", ...ids, reason: refusal }
              : { type: "claimed", ...ids };
          },
          // the database refusing the record itself: the driver is told, the record set aside
          {
            type: "claimRefused",
            cpId: e.session.cpId,
            sessionId: e.session.id,
            reason: "refused by the database",
          },
        );
      case "loadSession":
        return this.#answered(e.report.cpId, `looking up ${e.report.sessionId}`, async () => ({
          type: "sessionLoaded",
          report: e.report,
          session: await p.sessions.load(e.report.sessionId),
        }));
      case "storeEnd":
        return this.#answered(
          e.ticket.cpId,
          `storing the end of ${e.ticket.sessionId}`,
          async () => {
            const stored = await p.sessions.end(e.ticket, e.from);
            return stored ? { type: "endStored", ticket: stored } : undefined;
          },
        );
      case "sendTicket":
        return this.#sendTicket(e.ticket);
    }
  }

  /** Runs a database step after the earlier ones of the same CP, retrying while it is away. */
  #db<T>(key: string, what: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#chains.get(key) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() =>
      retrying(fn, { what, signal: this.#stop.signal })
    );
    this.#chains.set(key, next);
    next.catch(() => {}).finally(() => {
      if (this.#chains.get(key) === next) this.#chains.delete(key);
    });
    return next;
  }

  /** A database step whose answer is the next input (fed after the CP's chain moved on). */
  async #answered(
    key: string,
    what: string,
    fn: () => Promise<Input | undefined>,
    onRefused?: Input,
  ): Promise<void> {
    let answer: Input | undefined;
    try {
      answer = await this.#db(key, what, fn);
    } catch (e) {
      if (onRefused && e instanceof DeterministicError) await this.dispatch(onRefused);
      throw e;
    }
    if (answer) await this.dispatch(answer);
  }

  /** Claims a ticket, publishes it, records it sent; a failed publish is tried again later. */
  async #sendTicket(ticket: Ticket): Promise<void> {
    const id = ticket.sessionId;
    if (this.#sending.has(id)) return;
    this.#sending.add(id);
    const by = this.state.instance;
    try {
      const mine = await this.#db(
        ticket.cpId,
        `claiming the ticket of ${id}`,
        () => this.ports.sessions.claimTicket(id, by),
      );
      if (!mine) return; // sent already, or another instance is sending it
      try {
        await this.ports.publish({ type: "ticket", ...ticket });
      } catch (e) {
        log.warn(`ticket of ${id} not published (${errorMessage(e)}): trying again soon`);
        await this.ports.sessions.releaseTicket(id, by).catch(() => {});
        this.#retryTicket(ticket);
        return;
      }
      await this.#db(
        ticket.cpId,
        `recording the ticket of ${id} sent`,
        () => this.ports.sessions.ticketSent(id),
      );
    } finally {
      this.#sending.delete(id);
    }
  }

  #retryTicket(ticket: Ticket): void {
    const t = setTimeout(() => {
      this.#retries.delete(t);
      this.#sendTicket(ticket).catch((e) =>
        log.warn(`ticket of ${ticket.sessionId}: ${errorMessage(e)}`)
      );
    }, TICKET_RETRY_MS);
    this.#retries.add(t);
  }
}
