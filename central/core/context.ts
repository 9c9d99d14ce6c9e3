/**
 * One step of the core: the state, the time the input is handled at, and the effects asked for
 * so far. Every rule receives it and appends its effects, in the order they must be carried out.
 *
 * @module
 */
import type { CoreState } from "./state.ts";
import type { Effect } from "./effects.ts";

/** The step in progress. */
export interface Ctx {
  readonly state: CoreState;
  /** ms since epoch: the only clock the core knows. */
  readonly now: number;
  readonly effects: Effect[];
}

/** Asks for one effect. */
export function emit(ctx: Ctx, effect: Effect): void {
  ctx.effects.push(effect);
}

/** Adds an application message. */
export function say(ctx: Ctx, text: string, level: "info" | "warn" | "error" = "info"): void {
  ctx.effects.push({ type: "message", text, level });
}
