/**
 * Publishing events where they belong: each event goes to the topic and key {@link route} gives
 * it, through a {@link Batcher} (what is published within a few milliseconds goes out in one
 * request, in order).
 *
 * @module
 */
import type { Producer } from "kafkajs";
import { Batcher, type BatcherOptions } from "./batcher.ts";
import { route, type Topics } from "../topics.ts";
import type { EventBody } from "../events.ts";

/** Publishes events to their topics. */
export class Publisher {
  readonly #batcher: Batcher;

  /** `lingerMs`: how long a record may wait for others to go with it. */
  constructor(producer: Producer, readonly topics: Topics, lingerMs = 0, options?: BatcherOptions) {
    this.#batcher = new Batcher(producer, lingerMs, options);
  }

  /** Publishes one event (envelope id `id`, else a new one); resolves when the broker has it. */
  publish(body: EventBody, id?: string): Promise<void> {
    const { topic, key } = route(this.topics, body);
    return this.#batcher.send(topic, key, body, id);
  }

  /** Sends what is queued now. */
  flush(): Promise<void> {
    return this.#batcher.flush();
  }

  /** Sends what is queued, then disconnects its producer (the first one, or its renewal). */
  close(): Promise<void> {
    return this.#batcher.close();
  }
}
