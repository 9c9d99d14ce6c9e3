/**
 * Many small sends as few Kafka requests: records queued within a few milliseconds (or within
 * the same turn of the event loop, with a linger of 0) go out together (`sendBatch`), and each
 * caller learns when its own record is safely published. Order is kept: records go out in the
 * order they were queued, one batch after the other.
 *
 * Two things kafkajs 2.2 does not do for us, both seen under load (a backlog of thousands of
 * records queued while a request was out):
 * - A request is kept under {@link MAX_REQUEST_BYTES}: the broker refuses a partition's records
 *   over its `message.max.bytes` (1 MB) as one, and kafkajs then rolls back the sequence numbers
 *   of every partition of the request, also those the broker took.
 * - After that, each later send to those partitions is refused ("out of order sequence number")
 *   for as long as the producer lives (or, worse, taken as a duplicate of what the broker has, and
 *   dropped). So with `renew`, a request that fails for whatever reason replaces the producer by
 *   a fresh one (a new producer id, sequences from 0) and goes again once; a record the broker
 *   had already taken may then be there twice (consumers know events by their envelope id).
 *
 * @module
 */
import type { Message, Producer } from "kafkajs";
import { encodeEvent, envelope, type Event, type EventBody } from "../events.ts";
import { createLogger, errorMessage } from "../log.ts";
import { afterThisTurn, type Cancel, timers } from "../scheduler.ts";
import { closeInTime } from "./closing.ts";

const log = createLogger("kafka");

interface Queued {
  topic: string;
  message: Message;
  done: { resolve(): void; reject(e: unknown): void };
}

/** Bytes of keys and values one request carries at most (a record alone may be bigger). */
export const MAX_REQUEST_BYTES = 512 * 1024;
/** A record's bytes beyond its key and value in a request (headers, lengths, attributes). */
const RECORD_OVERHEAD = 64;

/** Options of {@link Batcher}. */
export interface BatcherOptions {
  /** A fresh producer, not connected yet, for when a request failed (its sequences are wrong). */
  renew?: () => Producer;
  /** @default MAX_REQUEST_BYTES */
  maxRequestBytes?: number;
}

/** Sends records in batches. */
export class Batcher {
  #queue: Queued[] = [];
  #cancelFlush: Cancel | undefined;
  /** The batch on its way: the next one waits for it, so that order holds across batches. */
  #inFlight: Promise<void> = Promise.resolve();
  /** The next batch, not cut yet: records queued until it starts go with it. */
  #next: Promise<void> | undefined;
  #producer: Producer;
  readonly #renew: (() => Producer) | undefined;
  readonly #maxRequestBytes: number;
  #closing = false;

  constructor(producer: Producer, private readonly lingerMs = 20, options: BatcherOptions = {}) {
    this.#producer = producer;
    this.#renew = options.renew;
    this.#maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  }

  /** The producer records go out through now. */
  get producer(): Producer {
    return this.#producer;
  }

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
      this.#cancelFlush ??= this.lingerMs === 0
        ? afterThisTurn(() => this.flush())
        : timers.after(this.lingerMs, () => this.flush());
    });
  }

  /**
   * Sends what is queued now, with the next request: that one takes everything queued by the time
   * the request on its way is done, so records gather while the broker answers (one request per
   * answer under load, not one per turn of the event loop).
   */
  flush(): Promise<void> {
    this.#cancelFlush?.();
    this.#cancelFlush = undefined;
    if (!this.#next) {
      this.#next = this.#inFlight.then(() => {
        this.#next = undefined;
        const batch = this.#queue;
        this.#queue = [];
        return this.#send(batch);
      });
      this.#inFlight = this.#next;
    }
    return this.#next;
  }

  /** Sends what is queued, then disconnects the producer. */
  async close(): Promise<void> {
    this.#closing = true;
    const queued = this.#queue.length;
    await closeInTime(`a producer (${queued} records queued)`, async () => {
      await this.flush().catch(() => {});
      await this.#producer.disconnect().catch(() => {});
    });
  }

  async #send(batch: Queued[]): Promise<void> {
    for (const request of splitBySize(batch, this.#maxRequestBytes)) {
      try {
        await this.#sendRequest(request);
      } catch (e) {
        if (!this.#renew || this.#closing) {
          for (const q of request) q.done.reject(e);
          continue;
        }
        log.warn(
          `${request.length} records not published (${
            errorMessage(e)
          }): sent again by a new producer`,
        );
        try {
          await this.#renewProducer();
          await this.#sendRequest(request);
        } catch (again) {
          for (const q of request) q.done.reject(again);
        }
      }
    }
  }

  async #sendRequest(request: Queued[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const q of request) {
      const messages = byTopic.get(q.topic);
      if (messages) messages.push(q.message);
      else byTopic.set(q.topic, [q.message]);
    }
    await this.#producer.sendBatch({
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    for (const q of request) q.done.resolve();
  }

  async #renewProducer(): Promise<void> {
    const fresh = this.#renew!();
    await fresh.connect();
    const old = this.#producer;
    this.#producer = fresh;
    old.disconnect().catch(() => {});
  }
}

/** `batch` in order, cut into requests of at most `maxBytes` of keys and values each. */
export function splitBySize<T extends { message: Message }>(batch: T[], maxBytes: number): T[][] {
  const requests: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const q of batch) {
    const size = sizeOf(q.message);
    if (current.length > 0 && bytes + size > maxBytes) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(q);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

function sizeOf(message: Message): number {
  const length = (v: Message["key"]) =>
    v == null ? 0 : typeof v === "string" ? v.length * 3 : v.length;
  return length(message.key) + length(message.value) + RECORD_OVERHEAD;
}
