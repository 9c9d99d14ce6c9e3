/**
 * Many small sends as few Kafka requests: records queued for a few milliseconds go out together
 * (`sendBatch`), and each caller learns when its own record is safely published.
 *
 * @module
 */
import type { Message, Producer } from "kafkajs";
import { encodeEvent, envelope, type EventBody } from "../../shared/events.ts";

interface Queued {
  topic: string;
  message: Message;
  done: { resolve(): void; reject(e: unknown): void };
}

/** Sends records in batches. */
export class Batcher {
  #queue: Queued[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly producer: Producer, private readonly lingerMs = 20) {}

  /** Queues one event (envelope id `id`, else a new one); resolves when the broker has it. */
  send(topic: string, key: string, body: EventBody, id?: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({
        topic,
        message: { key, value: encodeEvent(envelope(body, id)) },
        done: { resolve, reject },
      });
      this.#timer ??= setTimeout(() => this.flush(), this.lingerMs);
    });
  }

  /** Sends what is queued now. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const q of batch) byTopic.set(q.topic, [...byTopic.get(q.topic) ?? [], q.message]);
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
