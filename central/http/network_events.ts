/**
 * `GET /api/events`: the network's changes as Server-Sent Events. A new client first gets a
 * `snapshot` (every CP and the recent messages), then, twice a second at most, a `cps` event
 * with the views that changed, `removed` events and `message` events.
 *
 * @module
 */
import type { Views } from "../shell/views.ts";
import { sseResponse } from "./sse.ts";

/** The event stream of the network for one client. */
export function networkEvents(views: Views, signal: AbortSignal): Response {
  return sseResponse(signal, (send) => {
    send("snapshot", { cps: views.list(), messages: views.messages() });
    return views.subscribe((batch) => {
      if (batch.cps.length > 0) send("cps", batch.cps);
      for (const id of batch.removed) send("removed", { id });
      for (const m of batch.messages) send("message", m);
    });
  });
}
