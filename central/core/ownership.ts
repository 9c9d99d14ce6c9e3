/**
 * The network's CPs and who owns them. Each CP has one owning instance at a time: the one that
 * Kafka assigned its partition of the CP topics. An instance shows every CP: those it owns as
 * its rules derive them, the others as their owners announce them.
 *
 * @module
 */
import { type CpRecord, type CpView, type LiveSupply, viewOf } from "./cp.ts";
import { type Ctx, emit, say } from "./context.ts";
import { partitionOfCp, putCp } from "./state.ts";
import { startEnding } from "./transition.ts";
import { forget } from "./links.ts";
import type { CpInfo, Input, LiveSession } from "./inputs.ts";

type In<T extends Input["type"]> = Extract<Input, { type: T }>;

function newRecord(ctx: Ctx, info: CpInfo): CpRecord {
  const partition = partitionOfCp(ctx.state, info.id);
  return {
    id: info.id,
    location: info.location,
    pricePerKwh: info.pricePerKwh,
    stopped: info.stopped,
    partition,
    owned: ctx.state.owned.has(partition),
    updatedAt: ctx.now,
  };
}

/**
 * The view of a CP known only from the database: disconnected until its owner speaks (BRIEF §2:
 * a state saved before a crash says nothing of now).
 */
function savedView(info: CpInfo, now: number): CpView {
  return {
    id: info.id,
    location: info.location,
    pricePerKwh: info.pricePerKwh,
    state: "disconnected",
    updatedAt: new Date(now).toISOString(),
  };
}

/** Every enrolled CP, at start-up (shown disconnected until its owner speaks). */
export function catalog(ctx: Ctx, e: In<"catalog">): void {
  for (const info of e.cps) {
    if (ctx.state.cps.has(info.id)) continue;
    const cp = newRecord(ctx, info);
    putCp(ctx.state, info.id, cp.owned ? cp : { ...cp, shown: savedView(info, ctx.now) }, ctx.now);
    emit(ctx, { type: "announce", cpId: info.id });
  }
}

function restoredSupply(ctx: Ctx, s: LiveSession, linked: boolean): LiveSupply {
  const { settings } = ctx.state;
  return {
    sessionId: s.id,
    driverId: s.driverId,
    requestId: s.requestId,
    phase: s.status === "charging" ? "charging" : "reserved",
    pricePerKwh: s.pricePerKwh,
    authorizedAt: s.authorizedAt,
    startedAt: s.startedAt,
    kw: s.kw,
    kwh: s.kwh,
    eur: s.kwh * s.pricePerKwh,
    heardAt: ctx.now,
    ...(s.status === "authorized" ? { deadline: s.authorizedAt + settings.reservationMs } : {}),
    // a CP not heard of yet gets a while to reconnect before its supply is ended
    ...(linked ? {} : { reconnectBy: ctx.now + settings.reconnectGraceMs }),
  };
}

/**
 * This instance owns `partitions` from now on: their CPs (with what the links told already) and
 * live supplies are taken over, and go on where the previous owner left them.
 */
export function owned(ctx: Ctx, e: In<"owned">): void {
  for (const p of e.partitions) ctx.state.owned.add(p);
  const sessions = new Map(e.sessions.map((s) => [s.cpId, s]));
  for (const info of e.cps) {
    const known = ctx.state.cps.get(info.id);
    if (known?.owned) continue;
    const base = newRecord(ctx, info);
    if (!base.owned) continue;
    const session = sessions.get(info.id);
    const link = known?.link;
    const cp: CpRecord = {
      ...base,
      link,
      ...(session ? { supply: restoredSupply(ctx, session, link !== undefined) } : {}),
    };
    putCp(ctx.state, cp.id, cp, ctx.now);
    const state = viewOf(cp).state;
    if (state !== info.state) {
      emit(ctx, { type: "saveCp", cpId: cp.id, state, stopped: cp.stopped });
    }
    emit(ctx, { type: "announce", cpId: cp.id });
    // a supply taken over on a CP that is faulted (or stopped) ends, as it would have here
    const phase = cp.supply?.phase;
    if ((phase === "reserved" || phase === "charging") && link && (!link.engineOk || cp.stopped)) {
      startEnding(ctx, cp, cp.stopped ? "stopped by the operator" : "CP faulted");
    }
  }
  if (e.sessions.length > 0) {
    say(ctx, `took over ${e.sessions.length} supplies in progress`);
  }
}

/** This instance no longer owns `partitions`: their CPs are shown as their new owner says. */
export function disowned(ctx: Ctx, e: In<"disowned">): void {
  const gone = new Set(e.partitions);
  for (const p of gone) ctx.state.owned.delete(p);
  for (const cp of ctx.state.cps.values()) {
    if (!cp.owned || !gone.has(cp.partition)) continue;
    putCp(ctx.state, cp.id, { ...cp, owned: false, shown: viewOf(cp), supply: undefined }, ctx.now);
  }
}

/** A CP just enrolled (here or at another instance). */
export function enrolled(ctx: Ctx, e: In<"enrolled">): void {
  if (ctx.state.cps.has(e.cp.id)) return;
  const cp = newRecord(ctx, e.cp);
  putCp(ctx.state, cp.id, cp.owned ? cp : { ...cp, shown: savedView(e.cp, ctx.now) }, ctx.now);
  emit(ctx, { type: "announce", cpId: cp.id });
  if (cp.owned) say(ctx, `${cp.id} enrolled (${cp.location || "no location"})`);
}

/** A CP removed by the operator (the database refused it while a supply was live). */
export function removed(ctx: Ctx, e: In<"removed">): void {
  const cp = ctx.state.cps.get(e.cpId);
  if (!cp) return;
  forget(ctx, cp.id);
  if (cp.owned) say(ctx, `${cp.id} removed`);
}

/** Views announced by their owner; CPs it removed. */
export function announced(ctx: Ctx, e: In<"announced">): void {
  if (e.from === ctx.state.instance) return;
  for (const view of e.cps) {
    const cp = ctx.state.cps.get(view.id);
    if (cp?.owned) continue; // owned here now: an announcement of its previous owner
    const base = cp ?? newRecord(ctx, { ...view, stopped: view.state === "stopped" });
    if (base.owned) continue;
    putCp(ctx.state, view.id, {
      ...base,
      location: view.location,
      pricePerKwh: view.pricePerKwh,
      stopped: view.state === "stopped" ? true : base.stopped,
      shown: view,
    }, ctx.now);
    emit(ctx, { type: "announce", cpId: view.id, figures: true });
  }
  for (const id of e.removed) {
    const cp = ctx.state.cps.get(id);
    if (cp && !cp.owned) forget(ctx, id);
  }
}
