/**
 * Link facts: any instance may hold a CP's Monitor link; it tells every instance when the link
 * comes up (AUTH accepted), when the Engine's health changes, when the link goes, and once a
 * second which links it holds (its heartbeat). The owner turns them into the CP's state.
 *
 * Silence is judged on the links timeline, not on the wall clock: `linksAt` is the time of this
 * instance's own latest heartbeat seen back on the topic, so a link is silent only when the facts
 * published meanwhile have been read and none was about it. An instance that is late (its loop,
 * its consumer, the broker) never takes its lateness for a CP's silence.
 *
 * @module
 */
import type { CpLink, CpRecord } from "./cp.ts";
import { type Ctx, emit, say } from "./context.ts";
import { partitionOfCp, putCp } from "./state.ts";
import { change } from "./transition.ts";
import type { Input } from "./inputs.ts";

type In<T extends Input["type"]> = Extract<Input, { type: T }>;

function sameLink(link: CpLink | undefined, holder: string, linkId: string): boolean {
  return link?.holder === holder && link.linkId === linkId;
}

/** A record for a CP first heard of through its link (enrolled by another instance). */
function recordFor(ctx: Ctx, e: In<"linkUp">): CpRecord {
  const partition = partitionOfCp(ctx.state, e.cpId);
  return {
    id: e.cpId,
    location: e.location ?? "",
    pricePerKwh: e.pricePerKwh ?? 0,
    stopped: false,
    partition,
    owned: ctx.state.owned.has(partition),
    updatedAt: ctx.now,
  };
}

/** A Monitor authenticated its CP at `holder`. */
export function linkUp(ctx: Ctx, e: In<"linkUp">): void {
  const cp = ctx.state.cps.get(e.cpId) ?? recordFor(ctx, e);
  const link: CpLink = {
    holder: e.holder,
    linkId: e.linkId,
    engineOk: e.engineOk,
    heardAt: ctx.state.linksAt,
  };
  const next = change(ctx, cp, {
    link,
    location: e.location || cp.location,
    pricePerKwh: e.pricePerKwh ?? cp.pricePerKwh,
    ...(cp.supply ? { supply: { ...cp.supply, reconnectBy: undefined } } : {}),
  });
  if (!next.owned) return;
  say(ctx, `${cp.id} registered${e.holder === ctx.state.instance ? "" : ` (via ${e.holder})`}`);
  // the operator's order may have changed while the CP was away: told again
  emit(ctx, {
    type: "orderMonitor",
    cpId: cp.id,
    holder: e.holder,
    linkId: e.linkId,
    order: next.stopped ? "STOP" : "RESUME",
  });
}

/** The Engine's health, as the Monitor reported it. */
export function linkHealth(ctx: Ctx, e: In<"linkHealth">): void {
  const cp = ctx.state.cps.get(e.cpId);
  if (!cp) return;
  // a health report of a link not seen coming up (this instance started after it) adopts it
  if (cp.link && !sameLink(cp.link, e.holder, e.linkId)) return;
  const link = { holder: e.holder, linkId: e.linkId, heardAt: ctx.state.linksAt };
  change(ctx, cp, { link: { ...link, engineOk: e.engineOk } });
}

/** The link closed (or its Monitor fell silent, or the holder let it go). */
export function linkDown(ctx: Ctx, e: In<"linkDown">): void {
  const cp = ctx.state.cps.get(e.cpId);
  if (!cp || !sameLink(cp.link, e.holder, e.linkId)) return;
  change(ctx, cp, { link: undefined }, { why: e.reason });
}

/** A holder's heartbeat; this instance's own moves the links timeline. */
export function linksAlive(ctx: Ctx, e: In<"linksAlive">): void {
  const { state } = ctx;
  if (e.holder === state.instance && e.at > state.linksAt) {
    const first = state.linksAt === 0;
    state.linksAt = e.at;
    // links heard of before the timeline started count from its start
    if (first) {
      for (const cp of state.cps.values()) if (cp.link?.heardAt === 0) cp.link.heardAt = e.at;
    }
  }
  for (const [cpId, linkId, engineOk] of e.links) {
    const cp = state.cps.get(cpId);
    if (!cp) continue;
    if (sameLink(cp.link, e.holder, linkId) && cp.link!.engineOk === engineOk) {
      cp.link!.heardAt = state.linksAt; // a time stamp, not a change: no announcement
      continue;
    }
    if (cp.link && !sameLink(cp.link, e.holder, linkId)) continue;
    change(ctx, cp, { link: { holder: e.holder, linkId, engineOk, heardAt: state.linksAt } });
  }
}

/** Links of owned CPs not heard of for too long on the links timeline are gone. */
export function silentLinks(ctx: Ctx): void {
  const { state } = ctx;
  if (state.linksAt === 0) return;
  const limit = state.linksAt - state.settings.linkSilenceMs;
  for (const cp of state.cps.values()) {
    if (!cp.owned || !cp.link || cp.link.heardAt >= limit) continue;
    change(ctx, cp, { link: undefined }, { why: `its link at ${cp.link.holder} went silent` });
  }
}

/** Forgets a CP (removed by the operator). */
export function forget(ctx: Ctx, id: string): void {
  putCp(ctx.state, id, undefined, ctx.now);
  emit(ctx, { type: "forget", cpId: id });
}
