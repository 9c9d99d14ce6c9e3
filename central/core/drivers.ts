/**
 * What a driver that (re)starts is shown (BRIEF §4 "Driver dies mid-supply"): its supply in
 * progress, if any, and the tickets it has not confirmed yet.
 *
 * @module
 */
import type { NotificationEvent, Ticket } from "../../shared/events.ts";
import type { LiveSession } from "./inputs.ts";

/**
 * The notifications answering a driver's hello.
 *
 * @example
 * ```ts
 * helloReplies("D1", [], []); // []
 * ```
 */
export function helloReplies(
  driverId: string,
  live: LiveSession[],
  unconfirmed: Ticket[],
): NotificationEvent[] {
  const replies: NotificationEvent[] = [];
  for (const s of live) {
    if (s.driverId !== driverId) continue;
    replies.push({
      type: "authorized",
      driverId,
      requestId: s.requestId,
      sessionId: s.id,
      cpId: s.cpId,
      pricePerKwh: s.pricePerKwh,
      resumed: true,
    });
  }
  for (const t of unconfirmed) {
    if (t.driverId === driverId) replies.push({ type: "ticket", ...t, resent: true });
  }
  return replies;
}
