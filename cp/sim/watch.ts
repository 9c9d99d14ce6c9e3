/**
 * The network as Central shows it, followed on the `network` topic (what drivers read; no extra
 * work for Central): every CP's state, and every time one of ours is shown faulted or
 * disconnected — injected on purpose, or not (which must never happen).
 *
 * @module
 */
import { createKafka } from "../../shared/kafka/client.ts";
import { type Follower, followTopic } from "../../shared/kafka/follow.ts";
import { topicNames } from "../../shared/topics.ts";
import { parseEvent } from "../../shared/events.ts";

/** How the watch is set up. */
export interface WatchOptions {
  brokers: string;
  topicPrefix: string;
  /** Whether a CP is one of the fleet's. */
  mine(id: string): boolean;
  /** Whether a fault of `id` seen at `atMs` (epoch ms) was injected. */
  injected(id: string, atMs: number): boolean;
}

/** Faults seen, by kind. */
export interface WatchedFaults {
  /** Shown faulted while a fault was injected there. */
  injectedFaulted: number;
  /** Shown faulted with no fault injected (must be 0). */
  uninjectedFaulted: number;
  /** Shown disconnected after having been connected (nothing injects that: must be 0). */
  disconnected: number;
  /** The first few uninjected ones, for people: `id state at`. */
  examples: string[];
}

/** The followed network. */
export class NetworkWatch {
  readonly states = new Map<string, string>();
  readonly faults: WatchedFaults = {
    injectedFaulted: 0,
    uninjectedFaulted: 0,
    disconnected: 0,
    examples: [],
  };
  #counting = true;
  #follower: Follower | undefined;
  readonly #kafka;

  constructor(private readonly o: WatchOptions) {
    this.#kafka = createKafka({ brokers: o.brokers, clientId: "ev-sim-watch", logSource: "kafka" });
  }

  /** Follows the topic from now on. */
  async start(): Promise<void> {
    this.#follower = await followTopic({
      kafka: this.#kafka,
      topic: topicNames(this.o.topicPrefix).network,
      groupPrefix: `${this.o.topicPrefix}sim.watch`,
      onMessage: (m) => {
        const e = parseEvent(m.value, ["network"] as const);
        if (typeof e === "string") return;
        const now = Date.now();
        for (const view of e.cps) {
          if (typeof view?.id === "string" && this.o.mine(view.id)) {
            this.#seen(view.id, view.state, now);
          }
        }
      },
    });
  }

  /** CPs by the state Central shows. */
  byState(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const s of this.states.values()) counts[s] = (counts[s] ?? 0) + 1;
    return counts;
  }

  /** How many of `ids` Central shows registered (in any state but disconnected). */
  registered(ids: Iterable<string>): number {
    let n = 0;
    for (const id of ids) {
      const state = this.states.get(id);
      if (state !== undefined && state !== "disconnected") n++;
    }
    return n;
  }

  /** How many of `ids` Central shows in `state`. */
  count(ids: Iterable<string>, state: string): number {
    let n = 0;
    for (const id of ids) if (this.states.get(id) === state) n++;
    return n;
  }

  /** From now on, changes are the fleet's own stop, not faults. */
  stopCounting(): void {
    this.#counting = false;
  }

  /** Stops following. */
  async stop(): Promise<void> {
    await this.#follower?.stop();
  }

  #seen(id: string, state: string, atMs: number): void {
    const before = this.states.get(id);
    this.states.set(id, state);
    if (!this.#counting || before === undefined || before === state) return;
    if (state === "faulted") {
      if (this.o.injected(id, atMs)) return void this.faults.injectedFaulted++;
      this.faults.uninjectedFaulted++;
    } else if (state === "disconnected") this.faults.disconnected++;
    else return;
    if (this.faults.examples.length < 10) {
      this.faults.examples.push(`${id} ${before}→${state} ${new Date(atMs).toISOString()}`);
    }
  }
}
