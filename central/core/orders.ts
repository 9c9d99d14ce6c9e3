/**
 * The operator's orders (BRIEF §3): a stop ends an ongoing supply with its ticket and makes the
 * CP refuse new ones; a resume makes it available again. The order is kept (across restarts)
 * and relayed to the CP's Monitor, wherever its link is held.
 *
 * @module
 */
import { type CpRecord, type CpView, stateOf } from "./cp.ts";
import { type Ctx, emit, say } from "./context.ts";
import { change } from "./transition.ts";
import type { Order } from "./effects.ts";
import type { Input } from "./inputs.ts";

type In<T extends Input["type"]> = Extract<Input, { type: T }>;

/** An operator's order reaches the CP's owner. */
export function order(ctx: Ctx, e: In<"order">): void {
  const cp = ctx.state.cps.get(e.cpId);
  if (!cp?.owned) return;
  const next = change(ctx, cp, { stopped: e.order === "STOP" });
  if (next.link) {
    emit(ctx, {
      type: "orderMonitor",
      cpId: cp.id,
      holder: next.link.holder,
      linkId: next.link.linkId,
      order: e.order,
    });
  } else {
    say(ctx, `${cp.id}: ${verb(e.order)} recorded; applied when its Monitor connects`);
  }
}

/** How the CP's Monitor answered an order. */
export function orderOutcome(ctx: Ctx, e: In<"orderOutcome">): void {
  if (e.outcome === "ack") say(ctx, `${e.cpId}: ${verb(e.order)} acknowledged`);
  else say(ctx, `${e.cpId}: ${verb(e.order)} not acknowledged (${e.outcome})`, "warn");
}

function verb(order: Order): string {
  return order === "STOP" ? "stop" : "resume";
}

/**
 * The view a CP will have once an order is applied: what an operator is answered at once, on
 * any instance, before the owner has applied it.
 */
export function viewAfterOrder(cp: CpRecord, view: CpView, order: Order): CpView {
  const stopped = order === "STOP";
  if (cp.owned) {
    const state = stateOf({ ...cp, stopped, supply: stopped ? undefined : cp.supply });
    return { ...view, state };
  }
  const live = view.state !== "faulted" && view.state !== "disconnected";
  if (!live) return view;
  if (stopped) {
    const { driverId: _d, sessionId: _s, since: _since, kw: _kw, kwh: _kwh, eur: _eur, ...rest } =
      view;
    return { ...rest, state: "stopped" };
  }
  return view.state === "stopped" ? { ...view, state: "available" } : view;
}
