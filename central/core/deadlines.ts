/**
 * Deadlines as data: each live supply carries the time its phase ends (a reservation's expiry,
 * the grace an Engine has to report an end), and the clock's ticks find those due. A supply is
 * never ended past what Central has read: deadlines and silences are judged against the time up
 * to which telemetry (and link facts) are known complete, so Central's own backlog ends nothing.
 *
 * @module
 */
import type { CpRecord } from "./cp.ts";
import { type Ctx, emit, say } from "./context.ts";
import { change } from "./transition.ts";
import { endSupply } from "./supply.ts";
import { silentLinks } from "./links.ts";
import type { Input } from "./inputs.ts";

/** The clock moved: silent links go, due deadlines fall. */
export function tick(ctx: Ctx, e: Extract<Input, { type: "tick" }>): void {
  silentLinks(ctx);
  const { settings, linksAt } = ctx.state;
  for (const cp of ctx.state.cps.values()) {
    const s = cp.supply;
    if (!cp.owned || !s) continue;
    if (s.reconnectBy !== undefined && !cp.link && linksAt >= s.reconnectBy) {
      endHere(ctx, cp, "CP did not reconnect");
    } else if (s.phase === "reserved" && s.deadline !== undefined) {
      if (s.deadline <= ctx.now && s.deadline <= e.telemetryAt) expire(ctx, cp);
    } else if (s.phase === "ending" && s.deadline !== undefined && s.deadline <= e.telemetryAt) {
      endHere(ctx, cp, s.endReason ?? "ended by Central");
    } else if (s.phase === "charging" && s.heardAt < e.telemetryAt - settings.telemetrySilenceMs) {
      endHere(ctx, cp, `no telemetry for ${Math.round(settings.telemetrySilenceMs / 1000)} s`);
    }
  }
}

/** Central ends a supply itself (its Engine could not report): the last figures it has. */
function endHere(ctx: Ctx, cp: CpRecord, reason: string): void {
  say(ctx, `${cp.id}: supply of ${cp.supply!.driverId} ended by Central (${reason})`, "warn");
  endSupply(ctx, cp, { end: ctx.now, partial: true, reason });
}

/** A reservation not used in time is released: no ticket, the driver and the Engine are told. */
function expire(ctx: Ctx, cp: CpRecord): void {
  const s = cp.supply!;
  const reason = `the car was not plugged in within ${
    Math.round(ctx.state.settings.reservationMs / 1000)
  } s`;
  change(ctx, cp, { supply: undefined });
  emit(ctx, { type: "storeExpiry", cpId: cp.id, sessionId: s.sessionId, reason });
  emit(ctx, {
    type: "command",
    event: { type: "supply.cancel", cpId: cp.id, sessionId: s.sessionId, reason },
  });
  emit(ctx, {
    type: "notify",
    event: { type: "expired", driverId: s.driverId, sessionId: s.sessionId, cpId: cp.id, reason },
  });
  emit(ctx, { type: "count", outcome: "expired" });
  say(ctx, `reservation of ${cp.id} released: ${reason}`, "warn");
}
