/**
 * Many small sends as few Kafka requests: records queued within a few milliseconds (or within
 * the same turn of the event loop, with a linger of 0) go out together (`sendBatch`), and each
 * caller learns when its own record is safely published. Order is kept: records go out in the
 * order they were queued, one batch after the other.
 *
 * @module
 */
import type { Message, Producer } from "kafkajs";
import { encodeEvent, envelope, type Event, type EventBody } from "../events.ts";

interface Queued {
  topic: string;
  message: Message;
  done: { resolve(): void; reject(e: unknown): void };
}

/** Sends records in batches. */
export class Batcher {
  #queue: Queued[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The batch on its way: the next one waits for it, so that order holds across batches. */
  #inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly producer: Producer, private readonly lingerMs = 20) {}

  /** Queues one event (envelope id `id`, else a new one); resolves when the broker has it. */
  send(topic: string, key: string, body: EventBody, id?: string): Promise<void> {
    return this.sendEvent(topic, key, envelope(body, id));
  }

  /** Queues an event already in its envelope; resolves when the broker has it. */
  sendEvent(topic: string, key: string, event: Event): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({
        topic,
        message: { key, value: encodeEvent(event) },
        done: { resolve, reject },
      });
      this.#timer ??= setTimeout(() => this.flush(), this.lingerMs);
    });
  }

  /** Sends what is queued now (after the batch already on its way). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue;
    this.#queue = [];
    this.#inFlight = this.#inFlight.then(() => this.#send(batch));
    return this.#inFlight;
  }

  async #send(batch: Queued[]): Promise<void> {
    if (batch.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const q of batch) {
      const messages = byTopic.get(q.topic);
      if (messages) messages.push(q.message);
      else byTopic.set(q.topic, [q.message]);
    }
    try {
      await this.producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      for (const q of batch) q.done.resolve();
    } catch (e) {
      for (const q of batch) q.done.reject(e);
    }
  }
}
