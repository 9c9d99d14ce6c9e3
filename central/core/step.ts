/**
 * Central's core: `step(state, input, now)` applies one fact to the state and returns the
 * effects to carry out, in order. No I/O, no clock, no timer of its own: every rule of BRIEF
 * §2–4 is here and testable in milliseconds.
 *
 * @example
 * ```ts
 * const state = createState("central-a", 12);
 * const effects = step(state, { type: "request", requestId: "r1", driverId: "D1", cpId: "CP1", source: "driver", receivedAt: 0 }, 0);
 * // [{ type: "notify", event: { type: "denied", reason: "unknown CP", … } }, …]
 * ```
 *
 * @module
 */
import type { CoreState } from "./state.ts";
import type { Effect } from "./effects.ts";
import type { Input } from "./inputs.ts";
import type { Ctx } from "./context.ts";
import { announced, catalog, disowned, enrolled, owned, removed } from "./ownership.ts";
import { linkDown, linkHealth, linksAlive, linkUp } from "./links.ts";
import {
  claimed,
  claimRefused,
  ended,
  endStored,
  progress,
  request,
  sessionLoaded,
  started,
} from "./supply.ts";
import { order, orderOutcome } from "./orders.ts";
import { tick } from "./deadlines.ts";

export { type CoreState, createState } from "./state.ts";

/** Applies `input` at time `now` (ms since epoch); returns the effects, in order. */
export function step(state: CoreState, input: Input, now: number): Effect[] {
  const ctx: Ctx = { state, now, effects: [] };
  switch (input.type) {
    case "catalog":
      catalog(ctx, input);
      break;
    case "owned":
      owned(ctx, input);
      break;
    case "disowned":
      disowned(ctx, input);
      break;
    case "enrolled":
      enrolled(ctx, input);
      break;
    case "removed":
      removed(ctx, input);
      break;
    case "announced":
      announced(ctx, input);
      break;
    case "linkUp":
      linkUp(ctx, input);
      break;
    case "linkHealth":
      linkHealth(ctx, input);
      break;
    case "linkDown":
      linkDown(ctx, input);
      break;
    case "linksAlive":
      linksAlive(ctx, input);
      break;
    case "request":
      request(ctx, input);
      break;
    case "claimed":
      claimed(ctx, input);
      break;
    case "claimRefused":
      claimRefused(ctx, input);
      break;
    case "started":
      started(ctx, input);
      break;
    case "progress":
      progress(ctx, input);
      break;
    case "ended":
      ended(ctx, input.report);
      break;
    case "sessionLoaded":
      sessionLoaded(ctx, input);
      break;
    case "endStored":
      endStored(ctx, input.ticket);
      break;
    case "unsentTickets":
      for (const ticket of input.tickets) ctx.effects.push({ type: "sendTicket", ticket });
      break;
    case "order":
      order(ctx, input);
      break;
    case "orderOutcome":
      orderOutcome(ctx, input);
      break;
    case "tick":
      tick(ctx, input);
      break;
  }
  return ctx.effects;
}
