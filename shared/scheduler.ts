/**
 * When things run later: the one small interface the CP programs' timers go through, so that a
 * standalone Engine or Monitor uses the runtime's timers and a fleet of thousands shares one
 * {@link TimerWheel} per process instead of a timer per CP.
 *
 * @module
 */
import { clearImmediate, setImmediate } from "node:timers";

/** Cancels what was scheduled (calling it again, or after it ran, does nothing). */
export type Cancel = () => void;

/** Runs functions later. */
export interface Scheduler {
  /** Calls `fn` once, about `ms` from now. */
  after(ms: number, fn: () => void): Cancel;
  /** Calls `fn` every `ms` (the first time within `ms`), until cancelled. */
  every(ms: number, fn: () => void): Cancel;
}

/**
 * The runtime's own timers: one `setTimeout`/`setInterval` per call.
 *
 * @example
 * ```ts
 * import { timers } from "./scheduler.ts";
 * const cancel = timers.after(1000, () => console.log("a second later"));
 * cancel();
 * ```
 */
export const timers: Scheduler = {
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
  every(ms, fn) {
    const t = setInterval(fn, ms);
    return () => clearInterval(t);
  },
};

/**
 * Calls `fn` once this turn of the event loop is over (its I/O callbacks and promises done), and
 * before any timer: what a turn queued goes out together, at once. Deno's `setTimeout(fn, 0)`
 * waits about 2 ms (measured with Deno 2.9: p50 2.1 ms; `setImmediate` 0.01 ms), which a record
 * paid on each hop of a driver's request.
 *
 * @example
 * ```ts
 * import { afterThisTurn } from "./scheduler.ts";
 * const cancel = afterThisTurn(() => console.log("soon"));
 * cancel();
 * ```
 */
export function afterThisTurn(fn: () => void): Cancel {
  const t = setImmediate(fn);
  return () => clearImmediate(t);
}

/**
 * Resolves after `ms` on `scheduler`, or at once when `signal` aborts.
 *
 * @example
 * ```ts
 * import { sleepOn, timers } from "./scheduler.ts";
 * await sleepOn(timers, 10);
 * ```
 */
export function sleepOn(scheduler: Scheduler, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const cancel = scheduler.after(ms, done);
    function done() {
      cancel();
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
