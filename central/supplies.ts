/**
 * The supply lifecycle on Central (BRIEF §3): a request is authorized or denied, the CP reserved,
 * the Engine told; telemetry moves the CP and is relayed to that driver only; the end of a supply
 * stores its ticket and sends it. Every step is idempotent (a redelivered message changes nothing
 * twice) and a ticket goes out through an outbox (stored first, published after, re-published at
 * start-up if a crash came between), so each supply gets exactly one ticket.
 *
 * Kafka is an adapter: events come in through `onRequest` / `onTelemetry`, and go out through
 * {@link SupplyOutbox}.
 *
 * @module
 */
import { denialReason } from "./core/cp.ts";
import type { Network } from "./network.ts";
import { SessionConflict, type SessionRepo, type SessionView } from "./db/session_repo.ts";
import type {
  CommandEvent,
  Event,
  NotificationEvent,
  RequestEvent,
  TelemetryEvent,
  Ticket,
} from "../shared/events.ts";
import type { Metrics } from "../shared/metrics.ts";
import { createLogger, errorMessage } from "../shared/log.ts";

const log = createLogger("central");

/** Where Central's messages go (Kafka). */
export interface SupplyOutbox {
  toDriver(e: NotificationEvent): Promise<void>;
  toEngine(e: CommandEvent): Promise<void>;
}

/** Timings of the lifecycle. */
export interface SupplyOptions {
  /** A reservation not used (car not plugged in) within this time is released. @default 60000 */
  reservationTimeoutMs?: number;
  /** A CP lost (fault, disconnection, stop) gets this long for its Engine to report the end. @default 3000 */
  endGraceMs?: number;
  /** A supply restored at start-up whose CP has not reconnected by then is ended. @default 30000 */
  reconnectGraceMs?: number;
}

/** Requests older than this (sent while Central was away) are skipped: their driver gave up. */
const REQUEST_MAX_AGE_MS = 5 * 60_000;

/** How often tickets stored but not yet published are looked for. */
const OUTBOX_SWEEP_MS = 30_000;

/** A timed step that failed (database away) is tried again after this long. */
const RETRY_MS = 5_000;

/** How often the figures of a live supply are saved. */
const SAVE_EVERY_MS = 5_000;

/** Central's supplies. */
export class Supplies {
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #saved = new Map<string, number>();
  readonly #o: Required<SupplyOptions>;
  readonly #latency;
  readonly #unsubscribe: () => void;
  #sweep: ReturnType<typeof setInterval> | undefined;
  readonly #outcomes;

  constructor(
    private readonly network: Network,
    private readonly sessions: SessionRepo,
    private readonly out: SupplyOutbox,
    metrics: Metrics,
    options: SupplyOptions = {},
  ) {
    this.#o = {
      reservationTimeoutMs: 60_000,
      endGraceMs: 3_000,
      reconnectGraceMs: 30_000,
      ...options,
    };
    this.#latency = metrics.histogram("ev_request_seconds", "supply request handling time");
    this.#outcomes = metrics.counter(
      "ev_supplies_total",
      "supply requests and supplies, by outcome",
    );
    this.#unsubscribe = network.subscribe((e) => {
      if (e.kind !== "cp") return;
      const lost = e.cp.state === "faulted" || e.cp.state === "disconnected" ||
        e.cp.state === "stopped";
      const wasLive = e.previous === "reserved" || e.previous === "charging";
      if (lost && wasLive) this.#cpLost(e.cp.id, e.cp.state);
    });
  }

  /** After a restart: live supplies back on their CPs, unsent tickets sent. */
  async restore(): Promise<void> {
    for (const s of await this.sessions.live()) {
      const cp = this.network.get(s.cp);
      if (!cp) continue;
      this.network.update(s.cp, {
        supply: {
          sessionId: s.id,
          driverId: s.driver,
          requestId: s.requestId,
          phase: s.status === "charging" ? "charging" : "reserved",
          kw: 0,
          kwh: s.kwh,
          eur: s.eur,
          authorizedAt: Date.parse(s.authorizedAt),
        },
      });
      this.#arm(s.id, this.#o.reconnectGraceMs, () => {
        const now = this.network.get(s.cp);
        if (now?.supply?.sessionId === s.id && !now.connected) {
          this.#endHere(s.cp, "CP did not reconnect");
        }
      });
      if (s.status === "authorized") this.#armReservation(s.id, s.cp, Date.parse(s.authorizedAt));
    }
    await this.#sweepOutbox();
    this.#sweep ??= setInterval(() => this.#sweepOutbox().catch(() => {}), OUTBOX_SWEEP_MS);
  }

  /** Tickets stored but not published (a send that failed): published now. */
  async #sweepOutbox(): Promise<void> {
    for (const s of await this.sessions.unsentTickets()) await this.#sendTicket(s);
  }

  /** A message on the requests topic. */
  async onRequest(e: Event<RequestEvent>): Promise<void> {
    if (e.type === "supply.request") {
      const started = performance.now();
      await this.#request(e);
      this.#latency.observe((performance.now() - started) / 1000);
    } else if (e.type === "driver.hello") await this.#hello(e.driverId);
    else await this.sessions.ticketAcked(e.sessionId, e.driverId);
  }

  /** A message on the telemetry topic. */
  async onTelemetry(e: Event<TelemetryEvent>): Promise<void> {
    const cp = this.network.get(e.cpId);
    const live = cp?.supply?.sessionId === e.sessionId ? cp.supply : undefined;
    if (e.type === "supply.ended") {
      await this.#end(e);
      return;
    }
    if (!live || live.driverId !== e.driverId) {
      log.debug(`telemetry of ${e.cpId} for session ${e.sessionId}, not live: ignored`);
      return;
    }
    if (e.type === "supply.started") {
      this.#disarm(e.sessionId);
      this.network.update(e.cpId, { supply: { ...live, phase: "charging" } });
      await this.sessions.started(e.sessionId, new Date(e.at));
      this.network.message(`${e.cpId} supplying ${e.driverId}`);
      return;
    }
    const figures = { kw: e.kw, kwh: e.kwh, eur: e.eur };
    this.network.update(e.cpId, { supply: { ...live, phase: "charging", ...figures } });
    // relayed without waiting: a lost progress line is made good by the next one, a second later
    this.out.toDriver({
      type: "progress",
      driverId: e.driverId,
      sessionId: e.sessionId,
      cpId: e.cpId,
      ...figures,
    }).catch((e) => log.debug(`progress not relayed: ${errorMessage(e)}`));
    const last = this.#saved.get(e.sessionId) ?? 0;
    if (Date.now() - last > SAVE_EVERY_MS) {
      this.#saved.set(e.sessionId, Date.now());
      await this.sessions.progress(e.sessionId, figures);
    }
  }

  /** Stops following the network and the timers (Central is stopping). */
  close(): void {
    // Central stopping is not the CPs' doing: their supplies go on, and are seen again at restart
    this.#unsubscribe();
    clearInterval(this.#sweep);
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  async #request(e: Event<Extract<RequestEvent, { type: "supply.request" }>>): Promise<void> {
    // a request that waited longer than any driver does (Central was away) is not answered
    const age = Date.now() - Date.parse(e.at);
    if (age > REQUEST_MAX_AGE_MS) {
      log.warn(
        `request of ${e.driverId} at ${e.cpId} from ${
          Math.round(age / 1000)
        } s ago: too old, skipped`,
      );
      return;
    }
    // a redelivered request of a supply in progress (Central may have stopped between storing it
    // and telling): tell again; the Engine and the driver drop what they know already
    const cpNow = this.network.get(e.cpId);
    if (cpNow?.supply?.requestId === e.id) {
      if (cpNow.supply.phase === "reserved") {
        await this.#tellAuthorized(e.id, {
          id: cpNow.supply.sessionId,
          cp: cpNow.id,
          driver: cpNow.supply.driverId,
          pricePerKwh: cpNow.pricePerKwh,
        });
      }
      return;
    }
    const cp = this.network.get(e.cpId);
    const driverBusy = this.network.hasDriver(e.driverId);
    const reason = denialReason(cp, driverBusy);
    if (reason || !cp) return await this.#deny(e, reason ?? "unknown CP");
    const sessionId = crypto.randomUUID();
    const authorizedAt = Date.now();
    // reserved in memory before the first await: a second request for this CP is denied
    this.network.update(cp.id, {
      supply: {
        sessionId,
        driverId: e.driverId,
        requestId: e.id,
        phase: "reserved",
        kw: 0,
        kwh: 0,
        eur: 0,
        authorizedAt,
      },
    });
    try {
      await this.sessions.authorize({
        id: sessionId,
        cpId: cp.id,
        driverId: e.driverId,
        requestId: e.id,
        pricePerKwh: cp.pricePerKwh,
      });
    } catch (err) {
      if (this.network.get(cp.id)?.supply?.sessionId === sessionId) {
        this.network.update(cp.id, { supply: undefined });
      }
      if (err instanceof SessionConflict) {
        if (err.reason === "duplicate request") return; // answered before; its supply has ended
        return await this.#deny(e, err.reason);
      }
      throw err;
    }
    await this.#tellAuthorized(e.id, {
      id: sessionId,
      cp: cp.id,
      driver: e.driverId,
      pricePerKwh: cp.pricePerKwh,
    });
    this.#outcomes.inc({ outcome: "authorized" });
    this.network.message(
      `${cp.id} reserved for ${e.driverId}${e.source === "cp" ? " (asked at the CP)" : ""}`,
    );
    this.#armReservation(sessionId, cp.id, authorizedAt);
  }

  async #tellAuthorized(
    requestId: string,
    s: Pick<SessionView, "id" | "cp" | "driver" | "pricePerKwh">,
  ): Promise<void> {
    const authorize = {
      cpId: s.cp,
      sessionId: s.id,
      driverId: s.driver,
      pricePerKwh: s.pricePerKwh,
    };
    // sent together: one request to the broker
    await Promise.all([
      this.out.toEngine({ type: "supply.authorize", ...authorize }),
      this.out.toDriver({ type: "authorized", requestId, ...authorize }),
    ]);
  }

  async #deny(
    e: Event<Extract<RequestEvent, { type: "supply.request" }>>,
    reason: string,
  ): Promise<void> {
    await this.out.toDriver({
      type: "denied",
      driverId: e.driverId,
      requestId: e.id,
      cpId: e.cpId,
      reason,
    });
    this.#outcomes.inc({ outcome: "denied" });
    this.network.message(`request of ${e.driverId} at ${e.cpId} denied: ${reason}`, "warn");
  }

  async #hello(driverId: string): Promise<void> {
    for (const cp of this.network.list()) {
      const s = cp.supply;
      if (s?.driverId !== driverId) continue;
      await this.out.toDriver({
        type: "authorized",
        driverId,
        requestId: s.requestId,
        sessionId: s.sessionId,
        cpId: cp.id,
        pricePerKwh: cp.pricePerKwh,
        resumed: true,
      });
    }
    for (const s of await this.sessions.unackedTickets(driverId)) await this.#sendTicket(s, true);
  }

  async #end(e: Event<Extract<TelemetryEvent, { type: "supply.ended" }>>): Promise<void> {
    const ended = await this.sessions.end(e.sessionId, e.cpId, e.driverId, {
      start: new Date(e.start),
      end: new Date(e.end),
      kwh: e.kwh,
      eur: e.eur,
      partial: e.partial,
      reason: e.reason,
    });
    this.#finish(e.cpId, e.sessionId);
    // a first end issues the ticket; a redelivered one sends it again only if it never went out
    const ticket = ended ?? await this.sessions.unsentTicket(e.sessionId);
    if (ticket) await this.#sendTicket(ticket);
  }

  /** Central ends a supply itself (its Engine could not report): last known figures. */
  async #endHere(cpId: string, reason: string): Promise<void> {
    const supply = this.network.get(cpId)?.supply;
    if (!supply) return;
    const ended = await this.sessions.end(supply.sessionId, cpId, supply.driverId, {
      start: new Date(supply.authorizedAt),
      end: new Date(),
      kwh: supply.kwh,
      eur: supply.eur,
      partial: true,
      reason,
    });
    const ticket = ended ?? await this.sessions.unsentTicket(supply.sessionId);
    if (ticket) await this.#sendTicket(ticket); // a failure here is tried again (see #arm)
    this.#finish(cpId, supply.sessionId);
  }

  #finish(cpId: string, sessionId: string): void {
    this.#disarm(sessionId);
    this.#saved.delete(sessionId);
    if (this.network.get(cpId)?.supply?.sessionId === sessionId) {
      this.network.update(cpId, { supply: undefined });
    }
  }

  async #sendTicket(s: SessionView, resent = false): Promise<void> {
    const t = s.ticket!;
    const ticket: Ticket = {
      sessionId: s.id,
      cpId: s.cp,
      driverId: s.driver,
      start: t.start,
      end: t.end,
      kwh: t.kwh,
      eur: t.eur,
      partial: t.partial,
      reason: s.endReason ?? "ended",
    };
    await this.out.toDriver({ type: "ticket", ...ticket, ...(resent ? { resent } : {}) });
    await this.sessions.ticketSent(s.id);
    if (!resent) {
      this.#outcomes.inc({ outcome: t.partial ? "ticket (partial)" : "ticket" });
      this.network.message(
        `ticket ${s.cp} → ${s.driver}: ${t.kwh.toFixed(3)} kWh, ${t.eur.toFixed(2)} €${
          t.partial ? " (partial)" : ""
        }`,
      );
    }
  }

  #cpLost(cpId: string, state: string): void {
    const supply = this.network.get(cpId)?.supply;
    if (!supply) return;
    const reason = state === "stopped" ? "stopped by the operator" : `CP ${state}`;
    this.out.toEngine({ type: "supply.cancel", cpId, sessionId: supply.sessionId, reason })
      .catch((e) => log.warn(`could not tell ${cpId} to end its supply: ${errorMessage(e)}`));
    // the Engine reports the end itself when it can; if it cannot, Central ends it
    this.#arm(supply.sessionId, this.#o.endGraceMs, () => this.#endHere(cpId, reason));
  }

  #armReservation(sessionId: string, cpId: string, authorizedAt: number): void {
    const wait = Math.max(0, authorizedAt + this.#o.reservationTimeoutMs - Date.now());
    this.#arm(sessionId, wait, async () => {
      const cp = this.network.get(cpId);
      if (cp?.supply?.sessionId !== sessionId || cp.supply.phase !== "reserved") return;
      const driverId = cp.supply.driverId;
      if (!await this.sessions.expire(sessionId)) return;
      this.#finish(cpId, sessionId);
      const reason = `the car was not plugged in within ${
        Math.round(this.#o.reservationTimeoutMs / 1000)
      } s`;
      await this.out.toEngine({ type: "supply.cancel", cpId, sessionId, reason });
      await this.out.toDriver({
        type: "expired",
        driverId,
        sessionId,
        cpId,
        reason,
      });
      this.network.message(`reservation of ${cpId} released: ${reason}`, "warn");
    });
  }

  #arm(sessionId: string, ms: number, fn: () => void | Promise<void>): void {
    this.#disarm(sessionId);
    this.#timers.set(
      sessionId,
      setTimeout(() => {
        this.#timers.delete(sessionId);
        Promise.resolve(fn()).catch((e) => {
          // the database may be restarting: nothing is dropped, it is tried again
          log.error(`supply ${sessionId}: ${errorMessage(e)} (trying again in 5 s)`);
          if (!this.#timers.has(sessionId)) this.#arm(sessionId, RETRY_MS, fn);
        });
      }, ms),
    );
  }

  #disarm(sessionId: string): void {
    clearTimeout(this.#timers.get(sessionId));
    this.#timers.delete(sessionId);
  }
}
