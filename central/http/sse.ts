/**
 * Server-Sent Events: one stream per client, fed by a source the caller subscribes to, with a
 * keepalive comment, and bounded memory (a client that stops reading is let go; a browser then
 * reconnects and starts afresh).
 *
 * @module
 */

const encoder = new TextEncoder();
/** A comment line every so often keeps proxies and half-open clients honest. */
const KEEPALIVE_MS = 15_000;
/** Events a client may be behind before it is let go: memory stays bounded. */
const MAX_BEHIND = 5_000;

/** Sends one event to the client. */
export type SendEvent = (event: string, data: unknown) => void;

/**
 * An event-stream answer: `subscribe(send)` starts feeding the client and returns the function
 * that stops it (called when the client goes).
 */
export function sseResponse(
  signal: AbortSignal,
  subscribe: (send: SendEvent) => () => void,
): Response {
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        if ((controller.desiredSize ?? 0) < -MAX_BEHIND) return stop();
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      write(": connected\n\n");
      const unsubscribe = subscribe((event, data) =>
        write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
      );
      const keepalive = setInterval(() => write(": keepalive\n\n"), KEEPALIVE_MS);
      stop = () => {
        stop = () => {};
        unsubscribe();
        clearInterval(keepalive);
        try {
          controller.close();
        } catch {
          // closed already
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
