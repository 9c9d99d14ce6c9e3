/**
 * Server-Sent Events: one stream per client, fed by a source the caller subscribes to, with a
 * keepalive comment. Memory stays bounded: at most `maxSubscribers` streams are open at once
 * (more are refused, 503), and each client has its own queue of events not yet taken; a client
 * whose queue holds more than `maxQueuedBytes`, or whose oldest queued event has waited more than
 * `maxStallMs`, is a slow subscriber and is dropped (a browser then reconnects and starts afresh).
 *
 * @module
 */
import { jsonError } from "./respond.ts";

const encoder = new TextEncoder();
/** A comment line every so often keeps proxies and half-open clients honest. */
const KEEPALIVE_MS = 15_000;

/** Sends one event to the client. */
export type SendEvent = (event: string, data: unknown) => void;

/** Sends an event already encoded ({@link encodeSse}): one copy shared by every client. */
export type SendEncoded = (bytes: Uint8Array) => void;

/**
 * One event as the stream carries it, to encode once and send to many clients (a snapshot of a
 * big network is then held once in memory, whatever the number of clients waiting for it).
 *
 * @example
 * ```ts
 * import { encodeSse } from "./sse.ts";
 * const bytes = encodeSse("snapshot", { cps: [] }); // "event: snapshot\ndata: {...}\n\n"
 * ```
 */
export function encodeSse(event: string, data: unknown): Uint8Array {
  return encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** A limit of the event streams: too many open, or a client too slow. */
export type SseLimit = "sse-subscribers" | "sse-slow";

/** Options of {@link SseStreams}. */
export interface SseLimits {
  /** Streams open at once. @default 1000 */
  maxSubscribers?: number;
  /** Bytes one client may have waiting (its first event aside, a snapshot can be big). @default 1048576 */
  maxQueuedBytes?: number;
  /** How long one client's oldest waiting event may wait. @default 30000 */
  maxStallMs?: number;
  /** How often a keepalive comment is sent. @default 15000 */
  keepaliveMs?: number;
  /** Told of each limit reached (for a metric). @default nothing */
  onLimit?: (limit: SseLimit) => void;
}

/**
 * The event streams of one server.
 *
 * @example
 * ```ts ignore
 * const streams = new SseStreams({ maxSubscribers: 500 });
 * const res = streams.response(req.signal, (send) => network.subscribe((e) => send("cp", e)));
 * ```
 */
export class SseStreams {
  readonly #maxSubscribers: number;
  readonly #maxQueuedBytes: number;
  readonly #maxStallMs: number;
  readonly #keepaliveMs: number;
  readonly #onLimit: (limit: SseLimit) => void;
  #open = 0;

  /** Streams with these limits. */
  constructor(limits: SseLimits = {}) {
    const {
      maxSubscribers = 1000,
      maxQueuedBytes = 1024 * 1024,
      maxStallMs = 30_000,
      keepaliveMs = KEEPALIVE_MS,
      onLimit = () => {},
    } = limits;
    this.#maxSubscribers = maxSubscribers;
    this.#maxQueuedBytes = maxQueuedBytes;
    this.#maxStallMs = maxStallMs;
    this.#keepaliveMs = keepaliveMs;
    this.#onLimit = onLimit;
  }

  /** Streams open now. */
  get open(): number {
    return this.#open;
  }

  /**
   * An event-stream answer: `subscribe(send)` starts feeding the client and returns the function
   * that stops it (called when the client goes, or is dropped). A 503 when too many are open.
   */
  response(
    signal: AbortSignal,
    subscribe: (send: SendEvent, sendEncoded: SendEncoded) => () => void,
  ): Response {
    if (this.#open >= this.#maxSubscribers) {
      this.#onLimit("sse-subscribers");
      return jsonError(503, `too many event streams open (at most ${this.#maxSubscribers})`);
    }
    this.#open++;
    /** Events not taken yet; those written while the stream starts (a snapshot) are not counted. */
    const queue: { bytes: Uint8Array; at: number; counted: boolean }[] = [];
    let queuedBytes = 0;
    let starting = true;
    let wanted = false;
    let stopped = false;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let unsubscribe = () => {};
    let keepalive: ReturnType<typeof setInterval> | undefined;

    const stop = (slow = false) => {
      if (stopped) return;
      stopped = true;
      this.#open--;
      if (slow) this.#onLimit("sse-slow");
      unsubscribe();
      clearInterval(keepalive);
      queue.length = 0;
      queuedBytes = 0;
      try {
        controller.close();
      } catch {
        // closed already
      }
    };
    const write = (text: string) => writeBytes(encoder.encode(text));
    const writeBytes = (bytes: Uint8Array) => {
      if (stopped) return;
      if (wanted && queue.length === 0) {
        wanted = false;
        controller.enqueue(bytes);
        return;
      }
      const now = performance.now();
      queue.push({ bytes, at: now, counted: !starting });
      if (!starting) queuedBytes += bytes.byteLength;
      const over = queuedBytes > this.#maxQueuedBytes;
      const stalled = now - queue[0].at > this.#maxStallMs;
      if (over || (stalled && queue.length > 1)) stop(true);
    };

    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
        write(": connected\n\n");
        unsubscribe = subscribe((event, data) => writeBytes(encodeSse(event, data)), writeBytes);
        starting = false;
        if (stopped) unsubscribe();
        keepalive = setInterval(() => write(": keepalive\n\n"), this.#keepaliveMs);
        signal.addEventListener("abort", () => stop(), { once: true });
      },
      pull: (c) => {
        const next = queue.shift();
        if (!next) {
          wanted = true;
          return;
        }
        if (next.counted) queuedBytes -= next.bytes.byteLength;
        c.enqueue(next.bytes);
      },
      cancel: () => stop(),
    }, { highWaterMark: 0 });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        "connection": "keep-alive",
      },
    });
  }
}
