/**
 * What Central tells each driver, for the driver's web page (an SSE stream per driver id): the
 * notifications topic, followed from the first page that asks, whoever (which instance) sent
 * them. A page sees exactly what the driver's app sees, and nothing of others.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import { type Follower, followTopic } from "../../shared/kafka/follow.ts";
import { type NotificationEvent, parseEvent } from "../../shared/events.ts";
import type { Topics } from "../../shared/topics.ts";

/** Listeners by driver id. */
export class DriverFeed {
  readonly #listeners = new Map<string, Set<(e: NotificationEvent) => void>>();
  #follower: Promise<Follower> | undefined;

  constructor(
    private readonly o: { kafka: Kafka; topics: Topics; topicPrefix: string; instance: string },
  ) {}

  /** Calls `listener` with every notification to `driverId`; resolves with a function that stops it. */
  async subscribe(driverId: string, listener: (e: NotificationEvent) => void): Promise<() => void> {
    let set = this.#listeners.get(driverId);
    if (!set) this.#listeners.set(driverId, set = new Set());
    set.add(listener);
    const stop = () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(driverId);
    };
    try {
      await (this.#follower ??= this.#follow());
    } catch (e) {
      this.#follower = undefined;
      stop();
      throw e;
    }
    return stop;
  }

  #follow(): Promise<Follower> {
    return followTopic({
      kafka: this.o.kafka,
      topic: this.o.topics.notifications,
      groupPrefix: `${this.o.topicPrefix}central.feed.${this.o.instance}`,
      onMessage: (m) => {
        const listeners = this.#listeners.get(m.key?.toString() ?? "");
        if (!listeners) return; // nobody's page is open for this driver: not even parsed
        const e = parseEvent(
          m.value,
          ["authorized", "denied", "progress", "expired", "ticket"] as const,
        );
        if (typeof e === "string") return;
        for (const l of listeners) if (e.driverId === m.key?.toString()) l(e);
      },
    });
  }

  /** Stops following. */
  async close(): Promise<void> {
    await (await this.#follower?.catch(() => undefined))?.stop();
  }
}
