/**
 * Publishing events where they belong: each event goes to the topic and key {@link route} gives
 * it, through a {@link Batcher} (what is published within a few milliseconds goes out in one
 * request, in order).
 *
 * Urgent events (an answer a driver waits for) can go through a producer of their own: a
 * Batcher sends one request at a time, so an answer queued behind a busy network's relays waited
 * for all of them (and for a broker slow to take a large request: 100 ms and more at 3,000 CPs).
 * Order holds within each lane; an urgent event is never one whose place among the others matters
 * (an authorization comes before its supply's first figures, which wait for the car).
 *
 * @module
 */
import type { Producer } from "kafkajs";
import { Batcher, type BatcherOptions } from "./batcher.ts";
import { route, type Topics } from "../topics.ts";
import type { EventBody } from "../events.ts";

/** Options of {@link Publisher}. */
export interface PublisherOptions extends BatcherOptions {
  /** The events of these types go through `producer`, in a lane of their own. */
  urgent?: { producer: Producer; types: readonly EventBody["type"][] };
}

/** Publishes events to their topics. */
export class Publisher {
  readonly #batcher: Batcher;
  readonly #urgent: Batcher | undefined;
  readonly #urgentTypes: ReadonlySet<string>;

  /** `lingerMs`: how long a record may wait for others to go with it. */
  constructor(
    producer: Producer,
    readonly topics: Topics,
    lingerMs = 0,
    options: PublisherOptions = {},
  ) {
    const { urgent, ...batching } = options;
    this.#batcher = new Batcher(producer, lingerMs, batching);
    this.#urgent = urgent && new Batcher(urgent.producer, 0, batching);
    this.#urgentTypes = new Set(urgent?.types ?? []);
  }

  readonly #connected = Promise.withResolvers<void>();

  /** Connects its producers. */
  async connect(): Promise<void> {
    await Promise.all(this.#batchers().map((b) => b.producer.connect()));
    this.#connected.resolve();
  }

  /** Resolves once {@link connect} has succeeded (at once after that). */
  get connected(): Promise<void> {
    return this.#connected.promise;
  }

  /** Publishes one event (envelope id `id`, else a new one); resolves when the broker has it. */
  publish(body: EventBody, id?: string): Promise<void> {
    const { topic, key } = route(this.topics, body);
    const lane = this.#urgent && this.#urgentTypes.has(body.type) ? this.#urgent : this.#batcher;
    return lane.send(topic, key, body, id);
  }

  /** Sends what is queued now. */
  async flush(): Promise<void> {
    await Promise.all(this.#batchers().map((b) => b.flush()));
  }

  /** Sends what is queued, then disconnects its producers (the first ones, or their renewals). */
  async close(): Promise<void> {
    await Promise.all(this.#batchers().map((b) => b.close()));
  }

  #batchers(): Batcher[] {
    return this.#urgent ? [this.#batcher, this.#urgent] : [this.#batcher];
  }
}
