/**
 * `GET /api/events`: the network's changes as Server-Sent Events. A new client first gets a
 * `snapshot` (every CP and the recent messages), then `cp`, `removed` and `message` events.
 *
 * One {@link NetworkFeed} serves every client: each change is encoded once and the same bytes go to
 * every client, and a snapshot is encoded at most once a second and shared, followed by the changes
 * since it was made (so a late client misses nothing). A snapshot of 10,000 CPs is megabytes: a
 * copy per waiting client would let a few hundred clients that do not read take Central's memory.
 *
 * @module
 */
import { viewOf } from "../core/cp.ts";
import type { Network } from "../network.ts";
import { encodeSse, type SseStreams } from "./sse.ts";

/** How long one snapshot is given to new clients (with the changes since). */
const SNAPSHOT_MS = 1_000;
/** Changes kept after a snapshot before a new one is made. */
const MAX_SINCE = 1_000;

/** The network's events, encoded once for every client. */
export class NetworkFeed {
  readonly #network: Network;
  readonly #listeners = new Set<(bytes: Uint8Array) => void>();
  #snapshot: { bytes: Uint8Array; at: number; since: Uint8Array[] } | undefined;

  /** The feed of `network` (it follows the network from now on). */
  constructor(network: Network) {
    this.#network = network;
    network.subscribe((e) => {
      const bytes = e.kind === "cp"
        ? encodeSse("cp", e.cp)
        : e.kind === "removed"
        ? encodeSse("removed", { id: e.id })
        : encodeSse("message", e.message);
      const since = this.#snapshot?.since;
      if (since && since.length < MAX_SINCE) since.push(bytes);
      else this.#snapshot = undefined;
      for (const listener of this.#listeners) listener(bytes);
    });
  }

  /** What a new client is sent first: the snapshot, and the changes since it. */
  start(): Uint8Array[] {
    const now = performance.now();
    if (!this.#snapshot || now - this.#snapshot.at > SNAPSHOT_MS) {
      const network = this.#network;
      const snapshot = { cps: network.list().map(viewOf), messages: network.messages() };
      this.#snapshot = { bytes: encodeSse("snapshot", snapshot), at: now, since: [] };
    }
    return [this.#snapshot.bytes, ...this.#snapshot.since];
  }

  /** Calls `listener` with each change, encoded; returns the function that stops it. */
  subscribe(listener: (bytes: Uint8Array) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
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
