/**
 * `GET /api/events`: the network's changes as Server-Sent Events. A new client first gets a
 * `snapshot` (every CP and the recent messages), then `cp`, `removed` and `message` events.
 *
 * @module
 */
import { viewOf } from "../core/cp.ts";
import type { Network } from "../network.ts";
import type { SseStreams } from "./sse.ts";

/** The event stream of the network for one client. */
export function networkEvents(
  network: Network,
  signal: AbortSignal,
  streams: SseStreams,
): Response {
  return streams.response(signal, (send) => {
    send("snapshot", { cps: network.list().map(viewOf), messages: network.messages() });
    return network.subscribe((e) => {
      if (e.kind === "cp") send("cp", e.cp);
      else if (e.kind === "removed") send("removed", { id: e.id });
      else send("message", e.message);
    });
  });
}
