/**
 * The network as people and other programs see it: every CP's view (from the core's state) and
 * the application messages. Changes are coalesced, never sent one record at a time:
 * - local subscribers (dashboards over SSE, the panel) get the views that changed, twice a
 *   second, after a snapshot on connect;
 * - the `network` topic gets, from this instance, the views of the CPs it owns whose state
 *   changed (four times a second) and all of them every few seconds (in chunks), so other
 *   instances and drivers see the whole network; figures of charging CPs ride the snapshots.
 *
 * @module
 */
import { type CpView, shownState, viewOf } from "../core/cp.ts";
import type { CoreState } from "../core/state.ts";
import type { AppMessage, NetworkEvent } from "../../shared/events.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";

const log = createLogger("central");

/** What local subscribers are sent. */
export interface ViewBatch {
  cps: CpView[];
  removed: string[];
  messages: AppMessage[];
}

/** Options of {@link Views}. */
export interface ViewsOptions {
  /** Publishes a network record. */
  publish(body: NetworkEvent): Promise<void>;
  /** Local subscribers' batches, ms. @default 500 */
  localMs?: number;
  /** State changes on the topic, ms. @default 250 */
  deltaMs?: number;
  /** Full snapshots of the owned CPs on the topic, ms. @default 3000 */
  snapshotMs?: number;
}

/** How many application messages are kept for people. */
const MESSAGES_KEPT = 50;
/** Views per network record: records stay well under the broker's size limit. */
const CHUNK = 1_000;

/** The network's views. */
export class Views {
  readonly #listeners = new Set<(b: ViewBatch) => void>();
  readonly #messages: AppMessage[] = [];
  /** Changed since the last local batch. */
  #localDirty = new Set<string>();
  #localRemoved = new Set<string>();
  #localMessages: AppMessage[] = [];
  /** Owned CPs whose state changed since the last delta. */
  #topicDirty = new Set<string>();
  #topicRemoved = new Set<string>();
  #topicMessages: AppMessage[] = [];
  /** The state last published per owned CP (a delta carries state changes only). */
  readonly #published = new Map<string, string>();
  #sorted: string[] | undefined;
  readonly #timers: ReturnType<typeof setInterval>[] = [];

  constructor(private readonly state: CoreState, private readonly o: ViewsOptions) {}

  /** Starts publishing (once Kafka is there). */
  start(): void {
    if (this.#timers.length > 0) return;
    this.#timers.push(
      setInterval(() => this.#flushLocal(), this.o.localMs ?? 500),
      setInterval(() => this.#publishDelta(), this.o.deltaMs ?? 250),
      setInterval(() => this.#publishSnapshot(), this.o.snapshotMs ?? 3_000),
    );
    this.#publishSnapshot();
  }

  /** Stops the timers. */
  close(): void {
    for (const t of this.#timers) clearInterval(t);
  }

  /** Every CP's view, by id. */
  list(): CpView[] {
    if (this.#sorted?.length !== this.state.cps.size) {
      this.#sorted = [...this.state.cps.keys()].sort();
    }
    const views: CpView[] = [];
    for (const id of this.#sorted) {
      const cp = this.state.cps.get(id);
      if (cp) views.push(viewOf(cp));
    }
    return views;
  }

  /** One CP's view, or undefined. */
  get(id: string): CpView | undefined {
    const cp = this.state.cps.get(id);
    return cp && viewOf(cp);
  }

  /** The recent application messages, oldest first. */
  messages(): AppMessage[] {
    return [...this.#messages];
  }

  /** Calls `listener` with every batch of changes; returns a function that stops it. */
  subscribe(listener: (b: ViewBatch) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A CP's view changed. */
  changed(cpId: string, figures: boolean): void {
    this.#localDirty.add(cpId);
    this.#localRemoved.delete(cpId);
    const cp = this.state.cps.get(cpId);
    if (!figures && cp?.owned) {
      this.#topicDirty.add(cpId);
      this.#topicRemoved.delete(cpId);
    }
  }

  /** A CP is gone. */
  forgotten(cpId: string): void {
    this.#sorted = undefined;
    this.#localDirty.delete(cpId);
    this.#localRemoved.add(cpId);
    this.#topicDirty.delete(cpId);
    this.#topicRemoved.add(cpId);
    this.#published.delete(cpId);
  }

  /** An application message of this instance's. */
  message(text: string, level: AppMessage["level"]): void {
    const m = { at: new Date().toISOString(), text, level };
    this.#keep(m);
    this.#topicMessages.push(m);
    if (this.#topicMessages.length > MESSAGES_KEPT) this.#topicMessages.shift();
  }

  /** Application messages of another instance's. */
  remoteMessages(messages: AppMessage[]): void {
    for (const m of messages) this.#keep(m);
  }

  #keep(m: AppMessage): void {
    this.#messages.push(m);
    if (this.#messages.length > MESSAGES_KEPT) this.#messages.shift();
    this.#localMessages.push(m);
  }

  #flushLocal(): void {
    if (
      this.#localDirty.size === 0 && this.#localRemoved.size === 0 && !this.#localMessages.length
    ) {
      return;
    }
    const batch: ViewBatch = {
      cps: [...this.#localDirty].map((id) => this.get(id)).filter((v) => v !== undefined),
      removed: [...this.#localRemoved],
      messages: this.#localMessages,
    };
    this.#localDirty = new Set();
    this.#localRemoved = new Set();
    this.#localMessages = [];
    for (const listener of this.#listeners) {
      try {
        listener(batch);
      } catch (e) {
        log.error(`a view listener failed: ${errorMessage(e)}`);
      }
    }
  }

  #publishDelta(): void {
    const cps: CpView[] = [];
    for (const id of this.#topicDirty) {
      const cp = this.state.cps.get(id);
      if (!cp?.owned) continue;
      const state = shownState(cp);
      if (this.#published.get(id) === state) continue;
      this.#published.set(id, state);
      cps.push(viewOf(cp));
    }
    this.#topicDirty.clear();
    const removed = [...this.#topicRemoved];
    this.#topicRemoved.clear();
    const messages = this.#topicMessages;
    this.#topicMessages = [];
    if (cps.length === 0 && removed.length === 0 && messages.length === 0) return;
    this.#send({ type: "network", from: this.state.instance, cps, removed, messages });
  }

  #publishSnapshot(): void {
    const owned: CpView[] = [];
    for (const cp of this.state.cps.values()) {
      if (!cp.owned) continue;
      owned.push(viewOf(cp));
      this.#published.set(cp.id, shownState(cp));
    }
    // a snapshot also says "this instance is alive" (drivers tell Central's absence by it)
    for (let i = 0; i === 0 || i < owned.length; i += CHUNK) {
      // (an instance owning nothing still sends one, empty)
      this.#send({
        type: "network",
        from: this.state.instance,
        full: true,
        cps: owned.slice(i, i + CHUNK),
      });
    }
  }

  #send(body: NetworkEvent): void {
    this.o.publish(body).catch((e) => log.warn(`network view not published: ${errorMessage(e)}`));
  }
}
