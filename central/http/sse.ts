/**
 * `GET /api/events`: Server-Sent Events of the network's changes. A new client first gets a
 * `snapshot` (every CP and the recent messages), then `cp`, `removed` and `message` events.
 *
 * @module
 */
import { viewOf } from "../core/cp.ts";
import type { Network } from "../network.ts";

const encoder = new TextEncoder();
/** A comment line every so often keeps proxies and half-open clients honest. */
const KEEPALIVE_MS = 15_000;
/** Events a client may be behind before it is let go: memory stays bounded. */
const MAX_BEHIND = 5_000;

/** The event stream answer for one client. */
export function eventStream(network: Network, signal: AbortSignal): Response {
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (event: string, data: unknown) => {
        // a client that does not read is let go (its browser reconnects and gets a snapshot)
        if ((controller.desiredSize ?? 0) < -MAX_BEHIND) return stop();
        try {
          controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
        } catch {
          stop();
        }
      };
      send("snapshot", { cps: network.list().map(viewOf), messages: network.messages() });
      const unsubscribe = network.subscribe((e) => {
        if (e.kind === "cp") send("cp", e.cp);
        else if (e.kind === "removed") send("removed", { id: e.id });
        else send("message", e.message);
      });
      const keepalive = setInterval(() => {
        try {
          controller.enqueue(encoder.encode(": keepalive\n\n"));
        } catch {
          stop();
        }
      }, KEEPALIVE_MS);
      stop = () => {
        unsubscribe();
        clearInterval(keepalive);
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      signal.addEventListener("abort", () => stop(), { once: true });
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      "connection": "keep-alive",
    },
  });
}
