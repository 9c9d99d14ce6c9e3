/**
 * The latest value per key, sent once per turn of the event loop: what is pushed again for a key
 * before the turn ends replaces what was waiting (each pusher learns when the value that stood
 * for its key went out). Central relays progress through it: when it is behind, several figures
 * of one supply become one message, the latest.
 *
 * @module
 */
import { afterThisTurn } from "../../shared/scheduler.ts";

interface Waiting<T> {
  value: T;
  sent: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
}

/** Coalesces values by key. */
export class LatestPerKey<T> {
  #waiting = new Map<string, Waiting<T>>();

  /** `send` publishes one value (resolves when it is out). */
  constructor(private readonly send: (value: T) => Promise<void>) {}

  /** Queues `value` for `key` (replacing one waiting); resolves when the latest one is out. */
  push(key: string, value: T): Promise<void> {
    const waiting = this.#waiting.get(key);
    if (waiting) {
      waiting.value = value;
      return waiting.sent;
    }
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const sent = new Promise<void>((y, n) => {
      resolve = y;
      reject = n;
    });
    if (this.#waiting.size === 0) afterThisTurn(() => this.#flush());
    this.#waiting.set(key, { value, sent, resolve, reject });
    return sent;
  }

  #flush(): void {
    const batch = this.#waiting;
    this.#waiting = new Map();
    for (const w of batch.values()) this.send(w.value).then(w.resolve, w.reject);
  }
}
