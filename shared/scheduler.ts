/**
 * When things run later: the one small interface the CP programs' timers go through, so that a
 * standalone Engine or Monitor uses the runtime's timers and a fleet of thousands shares one
 * {@link TimerWheel} per process instead of a timer per CP.
 *
 * @module
 */

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
