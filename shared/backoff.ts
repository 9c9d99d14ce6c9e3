/**
 * Reconnection delays: exponential with jitter, capped, reset after a success.
 *
 * @module
 */

/** Options of {@link Backoff}. */
export interface BackoffOptions {
  /** First delay. @default 200 */
  minMs?: number;
  /** Largest delay. @default 5000 */
  maxMs?: number;
}

/** The next delay to wait before trying again. */
export class Backoff {
  #attempt = 0;
  readonly #min: number;
  readonly #max: number;

  constructor({ minMs = 200, maxMs = 5_000 }: BackoffOptions = {}) {
    this.#min = minMs;
    this.#max = maxMs;
  }

  /** The delay before the next attempt (grows each call). */
  next(): number {
    const base = Math.min(this.#max, this.#min * 2 ** this.#attempt++);
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  /** After a success: start again from the smallest delay. */
  reset(): void {
    this.#attempt = 0;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * `work`'s outcome, or undefined at once when `signal` aborts first: a program told to stop does
 * not wait on a step that only ends when something remote answers (a Kafka client retries its
 * connect for as long as the broker is away). The abandoned work goes on unwaited; its failure is
 * ignored.
 */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const aborted = () => {
      work.catch(() => {});
      resolve(undefined);
    };
    signal.addEventListener("abort", aborted, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", aborted));
  });
}

/** How long a step may go without an answer before a program says what it waits for. */
export const SAY_WAITING_MS = 5_000;

/**
 * `work`, calling `say` once if it has not settled after `ms`: a step that retries inside (a
 * Kafka client's connect, for as long as no broker answers) neither fails nor ends, and the
 * program would otherwise say nothing of what it waits for.
 */
export function tellIfSlow<T>(work: Promise<T>, say: () => void, ms = SAY_WAITING_MS): Promise<T> {
  const timer = setTimeout(say, ms);
  return work.finally(() => clearTimeout(timer));
}
