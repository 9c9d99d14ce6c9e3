/**
 * The CP state machine (BRIEF §2): every change of a CP goes through {@link change}, which
 * derives the state before and after, keeps it in the database, announces it, tells people, and
 * starts ending a supply whose CP was lost (faulted, disconnected, stopped).
 *
 * @module
 */
import { type CpRecord, type CpState, stateOf } from "./cp.ts";
import { type Ctx, emit, say } from "./context.ts";
import { putCp } from "./state.ts";

/** What people are told when a CP enters a state. */
const ENTERED: Partial<Record<CpState, (id: string) => string>> = {
  available: (id) => `${id} available`,
  stopped: (id) => `${id} out of order (stopped by the operator)`,
  faulted: (id) => `${id} out of order (engine fault)`,
  disconnected: (id) => `${id} disconnected`,
};

/** States in which a CP cannot go on supplying. */
const LOST: ReadonlySet<CpState> = new Set(["stopped", "faulted", "disconnected"]);

/**
 * Applies `patch` to a CP and everything that follows from it; returns the new record.
 * `figures` marks a change of a supply's kW/kWh/€ only (announced, never stored here); `why`, what
 * made it (told with the new state: "SIM-01 disconnected (peer closed the connection)").
 */
export function change(
  ctx: Ctx,
  cp: CpRecord,
  patch: Partial<CpRecord>,
  { figures = false, why }: { figures?: boolean; why?: string } = {},
): CpRecord {
  const next: CpRecord = { ...cp, ...patch };
  putCp(ctx.state, cp.id, next, ctx.now);
  if (!next.owned) return next;
  const before = stateOf(cp);
  const after = stateOf(next);
  if (after !== before || next.stopped !== cp.stopped) {
    emit(ctx, { type: "saveCp", cpId: cp.id, state: after, stopped: next.stopped });
  }
  if (after !== before) {
    const text = ENTERED[after]?.(cp.id);
    const supplyEnded = (before === "reserved" || before === "charging") && after === "available";
    if (text && !supplyEnded) {
      say(ctx, why ? `${text} (${why})` : text, after === "available" ? "info" : "warn");
    }
  }
  emit(ctx, { type: "announce", cpId: cp.id, ...(figures && after === before ? { figures } : {}) });
  const phase = next.supply?.phase;
  // on the way into a lost state only: a supply taken over while its CP reconnects goes on
  if (after !== before && LOST.has(after) && (phase === "reserved" || phase === "charging")) {
    return startEnding(ctx, next, after === "stopped" ? "stopped by the operator" : `CP ${after}`);
  }
  return next;
}

/**
 * Asks the Engine to end the supply of `cp` (for `reason`), and gives it until the end grace to
 * report its final figures; past that Central ends it with the last ones it has.
 */
export function startEnding(ctx: Ctx, cp: CpRecord, reason: string): CpRecord {
  const supply = cp.supply!;
  emit(ctx, {
    type: "command",
    event: { type: "supply.cancel", cpId: cp.id, sessionId: supply.sessionId, reason },
  });
  const next: CpRecord = {
    ...cp,
    supply: {
      ...supply,
      phase: "ending",
      endReason: reason,
      deadline: ctx.now + ctx.state.settings.endGraceMs,
    },
  };
  putCp(ctx.state, cp.id, next, ctx.now);
  emit(ctx, { type: "announce", cpId: cp.id });
  return next;
}
