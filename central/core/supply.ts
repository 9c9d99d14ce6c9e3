/**
 * The supply lifecycle (BRIEF §3) as rules over the core's state: a request is authorized or
 * denied with its reason; the database records it (one live supply per CP and per driver across
 * every instance); telemetry moves the CP and is relayed, priced by Central, to that driver only;
 * the end stores its ticket, and the ticket goes out once stored.
 *
 * @module
 */
import type { CpRecord, LiveSupply } from "./cp.ts";
import { stateOf } from "./cp.ts";
import { type Ctx, emit, say } from "./context.ts";
import { driverBusy, markAnswered, putCp } from "./state.ts";
import { change } from "./transition.ts";
import { type Ending, eurMismatch, priced, reasonOf, ticketOf } from "./ticket.ts";
import type { ClaimRefusal, EndReport, Input, StoredSession } from "./inputs.ts";
import type { Ticket } from "../../shared/events.ts";

type In<T extends Input["type"]> = Extract<Input, { type: T }>;

/** Why a CP in a state cannot be given to a driver, or undefined when it can. */
const DENIED_IN = {
  available: undefined,
  reserved: "CP busy",
  charging: "CP busy",
  stopped: "CP stopped (out of order)",
  faulted: "CP faulted",
  disconnected: "CP disconnected",
} as const;

/**
 * Why a request for `cp` by a driver cannot be authorized, or undefined when it can. The order
 * is the one drivers see: an unknown CP first, then the driver's own supply, then the CP's state.
 */
export function denialReason(
  cp: CpRecord | undefined,
  driverHasLiveSupply: boolean,
): string | undefined {
  if (!cp) return "unknown CP";
  if (driverHasLiveSupply) return "driver already has a supply in progress";
  return DENIED_IN[stateOf(cp)];
}

/** A supply request. */
export function request(ctx: Ctx, e: In<"request">): void {
  const { settings } = ctx.state;
  const cp = ctx.state.cps.get(e.cpId);
  const age = ctx.now - e.receivedAt;
  if (age > settings.requestMaxAgeMs) {
    say(
      ctx,
      `request of ${e.driverId} at ${e.cpId} reached the broker ${
        Math.round(age / 1000)
      } s ago: too old, skipped`,
      "warn",
    );
    return;
  }
  // a redelivered request of the supply in progress: told again (Engine and driver drop repeats)
  if (cp?.supply?.requestId === e.requestId) {
    if (cp.supply.phase === "reserved") tellAuthorized(ctx, cp.id, cp.supply);
    return;
  }
  if (!markAnswered(ctx.state, e.requestId)) return;
  // the driver asks again where its own supply goes on (started again after dying, its hello's
  // answer not there yet): it is told that supply, and follows it to its ticket
  const own = cp?.supply;
  if (
    cp && own?.driverId === e.driverId && (own.phase === "reserved" || own.phase === "charging")
  ) {
    return notifyAuthorized(ctx, cp.id, own, e.requestId, true);
  }
  const reason = denialReason(cp, driverBusy(ctx.state, e.driverId));
  if (reason || !cp) return deny(ctx, e, reason ?? "unknown CP");
  const supply: LiveSupply = {
    sessionId: e.requestId,
    driverId: e.driverId,
    requestId: e.requestId,
    phase: "claiming",
    pricePerKwh: cp.pricePerKwh,
    authorizedAt: ctx.now,
    kw: 0,
    kwh: 0,
    eur: 0,
    heardAt: ctx.now,
  };
  // the claim first: the CP's database steps run in order, and its state write (reserved) must
  // not stand between a driver and the answer
  emit(ctx, {
    type: "claim",
    session: {
      id: supply.sessionId,
      cpId: cp.id,
      driverId: e.driverId,
      requestId: e.requestId,
      pricePerKwh: supply.pricePerKwh,
      authorizedAt: supply.authorizedAt,
    },
  });
  // held in the core before the database answers: a second request for this CP is busy
  change(ctx, cp, { supply });
  if (e.source === "cp") say(ctx, `${cp.id}: supply for ${e.driverId} asked at the CP`);
}

function deny(
  ctx: Ctx,
  e: { requestId: string; driverId: string; cpId: string },
  reason: string,
): void {
  emit(ctx, {
    type: "notify",
    event: {
      type: "denied",
      driverId: e.driverId,
      requestId: e.requestId,
      cpId: e.cpId,
      reason,
    },
  });
  emit(ctx, { type: "count", outcome: "denied" });
  say(ctx, `request of ${e.driverId} at ${e.cpId} denied: ${reason}`, "warn");
}

function tellAuthorized(ctx: Ctx, cpId: string, s: LiveSupply): void {
  emit(ctx, {
    type: "command",
    event: {
      type: "supply.authorize",
      cpId,
      sessionId: s.sessionId,
      driverId: s.driverId,
      pricePerKwh: s.pricePerKwh,
    },
  });
  notifyAuthorized(ctx, cpId, s, s.requestId);
}

/** Tells a driver its supply is authorized, answering `requestId` (`resumed`: one going on). */
function notifyAuthorized(
  ctx: Ctx,
  cpId: string,
  s: LiveSupply,
  requestId: string,
  resumed = false,
): void {
  emit(ctx, {
    type: "notify",
    event: {
      type: "authorized",
      requestId,
      cpId,
      sessionId: s.sessionId,
      driverId: s.driverId,
      pricePerKwh: s.pricePerKwh,
      ...(resumed ? { resumed } : {}),
    },
  });
}

/** The database recorded the supply: the driver and the Engine are told, the CP is reserved. */
export function claimed(ctx: Ctx, e: In<"claimed">): void {
  const cp = ctx.state.cps.get(e.cpId);
  const s = cp?.supply;
  if (!cp || s?.sessionId !== e.sessionId || s.phase !== "claiming") {
    // the CP went (removed, or owned elsewhere now) while it was recorded: released
    emit(ctx, {
      type: "storeExpiry",
      cpId: e.cpId,
      sessionId: e.sessionId,
      reason: "CP no longer here",
    });
    return;
  }
  // the CP may have been lost or stopped while the supply was recorded
  const lost = DENIED_IN[stateOf({ ...cp, supply: undefined })];
  if (lost) {
    change(ctx, cp, { supply: undefined });
    emit(ctx, { type: "storeExpiry", cpId: cp.id, sessionId: s.sessionId, reason: lost });
    deny(ctx, { requestId: s.requestId, driverId: s.driverId, cpId: cp.id }, lost);
    return;
  }
  const reserved: LiveSupply = {
    ...s,
    phase: "reserved",
    deadline: ctx.now + ctx.state.settings.reservationMs,
  };
  change(ctx, cp, { supply: reserved });
  tellAuthorized(ctx, cp.id, reserved);
  emit(ctx, { type: "count", outcome: "authorized" });
  say(ctx, `${cp.id} reserved for ${s.driverId}`);
}

/** The database would not record the supply (another instance's, or a duplicate). */
export function claimRefused(ctx: Ctx, e: In<"claimRefused">): void {
  const cp = ctx.state.cps.get(e.cpId);
  const s = cp?.supply;
  if (!cp || s?.sessionId !== e.sessionId) return;
  if (e.reason === "unknown CP") {
    putCp(ctx.state, cp.id, undefined, ctx.now);
    emit(ctx, { type: "forget", cpId: cp.id });
  } else change(ctx, cp, { supply: undefined });
  if (e.reason === "duplicate request") return; // answered before; that supply went its way
  deny(ctx, { requestId: s.requestId, driverId: s.driverId, cpId: cp.id }, reason(e.reason));
}

function reason(refusal: ClaimRefusal): string {
  return refusal === "refused by the database" ? "request could not be recorded" : refusal;
}

/** The live supply of `e`'s CP when the event is about it, else undefined. */
function liveOf(ctx: Ctx, e: { cpId: string; sessionId: string; driverId: string }) {
  const cp = ctx.state.cps.get(e.cpId);
  const s = cp?.supply;
  if (!cp?.owned || !s || s.sessionId !== e.sessionId || s.driverId !== e.driverId) return;
  if (s.phase === "claiming") return;
  return { cp, s };
}

/** The car was plugged in. */
export function started(ctx: Ctx, e: In<"started">): void {
  const live = liveOf(ctx, e);
  if (!live || live.s.phase !== "reserved") return;
  const { cp, s } = live;
  change(ctx, cp, {
    supply: { ...s, phase: "charging", startedAt: ctx.now, heardAt: ctx.now, deadline: undefined },
  });
  emit(ctx, { type: "saveStarted", cpId: cp.id, sessionId: s.sessionId, at: ctx.now });
  say(ctx, `${cp.id} supplying ${s.driverId}`);
}

/** Telemetry: cumulative figures, priced by Central and relayed to the supply's driver only. */
export function progress(ctx: Ctx, e: In<"progress">): void {
  const live = liveOf(ctx, e);
  if (!live) return;
  const { cp, s } = live;
  const kwh = Math.max(s.kwh, e.kwh);
  const eur = priced(kwh, s.pricePerKwh);
  checkEur(ctx, cp.id, e.eur, e.kwh, s.pricePerKwh);
  const phase = s.phase === "ending" ? "ending" : "charging";
  const figuresOnly = s.phase === phase;
  change(ctx, cp, {
    supply: {
      ...s,
      phase,
      startedAt: s.startedAt ?? ctx.now,
      deadline: phase === "ending" ? s.deadline : undefined,
      kw: e.kw,
      kwh,
      eur,
      heardAt: ctx.now,
    },
  }, { figures: figuresOnly });
  emit(ctx, {
    type: "notify",
    event: {
      type: "progress",
      driverId: s.driverId,
      sessionId: s.sessionId,
      cpId: cp.id,
      kw: e.kw,
      kwh,
      eur,
    },
  });
  emit(ctx, { type: "saveProgress", cpId: cp.id, sessionId: s.sessionId, kw: e.kw, kwh, eur });
}

function checkEur(ctx: Ctx, cpId: string, reported: number, kwh: number, price: number): void {
  if (!eurMismatch(reported, kwh, price, ctx.state.settings.eurTolerance)) return;
  emit(ctx, { type: "count", outcome: "engine € mismatch" });
  say(
    ctx,
    `${cpId} reported ${reported.toFixed(2)} € for ${kwh.toFixed(3)} kWh at ${price} €/kWh: ` +
      `billed ${priced(kwh, price).toFixed(2)} €`,
    "warn",
  );
}

/** The Engine reports a supply's end. */
export function ended(ctx: Ctx, report: EndReport): void {
  const live = liveOf(ctx, report);
  if (!live) {
    // not live here: a redelivery, a late plug-in after expiry, an end after a restart;
    // the stored session says which
    emit(ctx, { type: "loadSession", report });
    return;
  }
  checkEur(ctx, report.cpId, report.eur, report.kwh, live.s.pricePerKwh);
  endSupply(ctx, live.cp, {
    end: Date.parse(report.end),
    start: Date.parse(report.start),
    kwh: report.kwh,
    partial: report.partial,
    reason: report.reason,
  });
}

/**
 * The one way a live supply ends: the CP is freed, the ticket stored (then sent, once stored).
 */
export function endSupply(ctx: Ctx, cp: CpRecord, ending: Ending): void {
  const s = cp.supply!;
  const ticket = ticketOf(cp.id, s, ending);
  change(ctx, cp, { supply: undefined });
  emit(ctx, { type: "storeEnd", ticket, from: ["authorized", "charging"] });
}

/** The session of an end the core did not expect, as stored. */
export function sessionLoaded(ctx: Ctx, e: In<"sessionLoaded">): void {
  const { report, session } = e;
  if (!session || session.cpId !== report.cpId || session.driverId !== report.driverId) return;
  if (session.status === "ended") {
    if (!session.ticketSent && session.ticket) {
      emit(ctx, { type: "sendTicket", ticket: session.ticket });
    }
    return;
  }
  // a late plug-in after the reservation expired still pays for what it got; an empty one not
  if (session.status === "expired" && !(report.kwh > 0)) return;
  emit(ctx, { type: "storeEnd", ticket: storedTicket(session, report), from: [session.status] });
}

function storedTicket(session: StoredSession, report: EndReport): Ticket {
  return {
    ...report,
    sessionId: session.id,
    eur: priced(report.kwh, session.pricePerKwh),
    reason: reasonOf(report.reason),
  };
}

/** A ticket is stored: it goes out. */
export function endStored(ctx: Ctx, ticket: Ticket): void {
  emit(ctx, { type: "sendTicket", ticket });
  emit(ctx, { type: "count", outcome: ticket.partial ? "ticket (partial)" : "ticket" });
  say(
    ctx,
    `ticket ${ticket.cpId} → ${ticket.driverId}: ${ticket.kwh.toFixed(3)} kWh, ${
      ticket.eur.toFixed(2)
    } €${ticket.partial ? ` (partial: ${ticket.reason})` : ""}`,
  );
}
