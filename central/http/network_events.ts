/**
 * `GET /api/events`: the network's changes as Server-Sent Events. A new client first gets a
 * `snapshot` (every CP and the recent messages), then, twice a second at most, a `cps` event with
 * the views that changed, `removed` events and `message` events.
 *
 * One {@link NetworkFeed} serves every client: each batch of changes is encoded once and the same
 * bytes go to every client, and a snapshot is encoded at most once a second and shared, followed
 * by the batches since it was made (so a late client misses nothing). A snapshot of 10,000 CPs is
 * megabytes: a copy per waiting client would let a few hundred clients that do not read take
 * Central's memory.
 *
 * @module
 */
import type { Views } from "../shell/views.ts";
import { encodeSse, type SseStreams } from "./sse.ts";

/** How long one snapshot is given to new clients (with the changes since). */
const SNAPSHOT_MS = 1_000;
/** Batches kept after a snapshot before a new one is made. */
const MAX_SINCE = 1_000;

/** The network's events, encoded once for every client. */
export class NetworkFeed {
  readonly #listeners = new Set<(bytes: Uint8Array) => void>();
  #snapshot: { bytes: Uint8Array; at: number; since: Uint8Array[] } | undefined;
  #unfollow: (() => void) | undefined;

  /** The feed of `views` (followed while a client is there: nobody's, nothing is encoded). */
  constructor(private readonly views: Views) {}

  #follow(): () => void {
    return this.views.subscribe((batch) => {
      const encoded: Uint8Array[] = [];
      if (batch.cps.length > 0) encoded.push(encodeSse("cps", batch.cps));
      for (const id of batch.removed) encoded.push(encodeSse("removed", { id }));
      for (const m of batch.messages) encoded.push(encodeSse("message", m));
      for (const bytes of encoded) {
        const since = this.#snapshot?.since;
        if (since && since.length < MAX_SINCE) since.push(bytes);
        else this.#snapshot = undefined;
        for (const listener of this.#listeners) listener(bytes);
      }
    });
  }

  /** What a new client is sent first: the snapshot, and the changes since it. */
  start(): Uint8Array[] {
    const now = performance.now();
    if (!this.#snapshot || now - this.#snapshot.at > SNAPSHOT_MS) {
      const snapshot = { cps: this.views.list(), messages: this.views.messages() };
      this.#snapshot = { bytes: encodeSse("snapshot", snapshot), at: now, since: [] };
    }
    return [this.#snapshot.bytes, ...this.#snapshot.since];
  }

  /** Calls `listener` with each change, encoded; returns the function that stops it. */
  subscribe(listener: (bytes: Uint8Array) => void): () => void {
    this.#listeners.add(listener);
    this.#unfollow ??= this.#follow();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size > 0) return;
      this.#unfollow?.();
      this.#unfollow = undefined;
      this.#snapshot = undefined;
    };
  }
}

/** The event stream of the network for one client. */
export function networkEvents(
  feed: NetworkFeed,
  signal: AbortSignal,
  streams: SseStreams,
): Response {
  return streams.response(signal, (_send, sendEncoded) => {
    for (const bytes of feed.start()) sendEncoded(bytes);
    return feed.subscribe(sendEncoded);
  });
}
