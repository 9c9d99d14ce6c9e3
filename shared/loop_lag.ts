/**
 * How late this process's event loop is, and whether it was late around a given time: what a
 * program needs so that its own lateness never passes for somebody else's silence (BRIEF §4:
 * "Overload is not a failure").
 *
 * A sampler runs every {@link LoopLagOptions.sampleMs}; each time it runs later than it should,
 * the loop was busy (or the process was stopped) for that long. Those late spans are kept for a
 * while, so that a timeout can ask "of the time I waited, how much was I on time?" and wait on
 * until it has really waited that long ({@link LoopLag.waitOnTime}).
 *
 * (`node:perf_hooks` `monitorEventLoopDelay` and `performance.eventLoopUtilization()` exist under
 * Deno 2.9.6 but measured nothing here: a 300 ms busy loop read as a 0.02 ms delay.)
 *
 * @module
 */
import { type Scheduler, timers } from "./scheduler.ts";

/** Options of {@link LoopLag}. */
export interface LoopLagOptions {
  /** How often the loop is sampled, ms. @default 100 */
  sampleMs?: number;
  /** Lateness below this is jitter, not lateness, ms. @default 20 */
  toleranceMs?: number;
  /** How long late spans are kept, ms. @default 120000 */
  keepMs?: number;
  /** Lateness worth telling people about, ms. @default 250 */
  notableMs?: number;
  /** The clock (monotonic ms). @default performance.now */
  now?: () => number;
  /** Sample by itself (an unref'd timer); without it, call {@link LoopLag.observe}. @default true */
  sample?: boolean;
  /** Where {@link LoopLag.waitOnTime} waits. @default the runtime's timers */
  scheduler?: Scheduler;
}

/** Recent lateness, for people. */
export interface LagFigures {
  /** Lateness now (how far behind the sampler is, or was at its last turn), ms. */
  nowMs: number;
  /** Largest lateness over the window, ms. */
  maxMs: number;
  /** 99th percentile of the sampler's lateness over the window, ms. */
  p99Ms: number;
}

/**
 * This process's event-loop lag.
 *
 * @example
 * ```ts
 * import { LoopLag } from "./loop_lag.ts";
 * const lag = new LoopLag();
 * const since = performance.now();
 * // … later: how much of the time since then this process was on time
 * console.log(lag.onTimeMs(since));
 * lag.close();
 * ```
 */
export class LoopLag {
  readonly notableMs: number;
  readonly #sampleMs: number;
  readonly #tolerance: number;
  readonly #now: () => number;
  readonly #scheduler: Scheduler;
  /** A ring of samples: when the sampler ran, and how late it was (raw, ms). */
  readonly #at: Float64Array;
  readonly #late: Float64Array;
  #count = 0;
  #last: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: LoopLagOptions = {}) {
    const {
      sampleMs = 100,
      toleranceMs = 20,
      keepMs = 120_000,
      notableMs = 250,
      now = () => performance.now(),
      sample = true,
      scheduler = timers,
    } = options;
    if (!(sampleMs > 0)) {
      throw new RangeError(
        `Cannot use 'sampleMs' as it must be positive: current value is ${sampleMs}`,
      );
    }
    this.notableMs = notableMs;
    this.#sampleMs = sampleMs;
    this.#tolerance = toleranceMs;
    this.#now = now;
    this.#scheduler = scheduler;
    const size = Math.max(16, Math.ceil(keepMs / sampleMs));
    this.#at = new Float64Array(size);
    this.#late = new Float64Array(size);
    this.#last = now();
    if (sample) this.#arm();
  }

  /** Records that the loop ran at `t` (the sampler's turn). Late when more than a period passed. */
  observe(t: number = this.#now()): void {
    const late = Math.max(0, t - this.#last - this.#sampleMs);
    this.#last = t;
    const i = this.#count++ % this.#at.length;
    this.#at[i] = t;
    this.#late[i] = late;
  }

  /** How long, between `from` and `to`, this process was late (beyond jitter), ms. */
  lateMs(from: number, to: number = this.#now()): number {
    if (to <= from) return 0;
    let late = 0;
    const span = (start: number, end: number) => {
      const s = Math.max(start, from);
      const e = Math.min(end, to);
      if (e > s) late += e - s;
    };
    // behind right now: the sampler has not run for longer than a period
    const due = this.#last + this.#sampleMs + this.#tolerance;
    if (to > due) span(due, to);
    const n = Math.min(this.#count, this.#at.length);
    let oldest = Infinity;
    for (let k = 1; k <= n; k++) {
      const i = (this.#count - k) % this.#at.length;
      const t = this.#at[i];
      oldest = t;
      if (t <= from) return late;
      const excess = this.#late[i] - this.#tolerance;
      if (excess > 0) span(t - excess, t);
    }
    // older than what is kept: not known to be on time
    if (n === this.#at.length && oldest > from) span(from, oldest);
    return late;
  }

  /** How much of the time between `from` and `to` this process was on time, ms. */
  onTimeMs(from: number, to: number = this.#now()): number {
    return Math.max(0, to - from - this.lateMs(from, to));
  }

  /** Whether this process was late (beyond jitter) at some point between `from` and `to`. */
  wasLate(from: number, to: number = this.#now()): boolean {
    return this.lateMs(from, to) > 0;
  }

  /**
   * Resolves `true` once `ms` of on-time waiting have passed (time this process was late does
   * not count), or `false` as soon as `signal` aborts.
   */
  waitOnTime(ms: number, signal?: AbortSignal): Promise<boolean> {
    const from = this.#now();
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(false);
      let cancel = () => {};
      const finish = (onTime: boolean) => {
        cancel();
        signal?.removeEventListener("abort", aborted);
        resolve(onTime);
      };
      const aborted = () => finish(false);
      const check = () => {
        const left = ms - this.onTimeMs(from);
        if (left <= 0.5) finish(true);
        else cancel = this.#scheduler.after(left, check);
      };
      cancel = this.#scheduler.after(ms, check);
      signal?.addEventListener("abort", aborted, { once: true });
    });
  }

  /** Lateness over the last `windowMs`. */
  figures(windowMs = 5_000): LagFigures {
    const now = this.#now();
    const behind = Math.max(0, now - this.#last - this.#sampleMs);
    const values: number[] = [];
    const n = Math.min(this.#count, this.#at.length);
    for (let k = 1; k <= n; k++) {
      const i = (this.#count - k) % this.#at.length;
      if (this.#at[i] < now - windowMs) break;
      values.push(this.#late[i]);
    }
    values.sort((a, b) => a - b);
    const p99 = values.length ? values[Math.ceil(values.length * 0.99) - 1] : 0;
    const latest = n > 0 ? this.#late[(this.#count - 1) % this.#at.length] : 0;
    return {
      nowMs: Math.round(Math.max(behind, latest)),
      maxMs: Math.round(Math.max(behind, values.at(-1) ?? 0)),
      p99Ms: Math.round(Math.max(behind, p99)),
    };
  }

  /** "event loop 340 ms late (max over 5 s)" when the lag is notable, else "". */
  describe(windowMs = 5_000): string {
    const { maxMs } = this.figures(windowMs);
    return maxMs >= this.notableMs
      ? `event loop ${maxMs} ms late (max over ${Math.round(windowMs / 1000)} s)`
      : "";
  }

  /** Stops sampling. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #arm(): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.observe();
      this.#arm();
    }, this.#sampleMs);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }
}

/**
 * Logs (through `warn`) once every `everyMs` while the lag is notable; returns the stop function.
 *
 * @example
 * ```ts
 * import { LoopLag, reportLag } from "./loop_lag.ts";
 * const lag = new LoopLag();
 * const stop = reportLag(lag, (text) => console.error(text));
 * stop();
 * lag.close();
 * ```
 */
export function reportLag(
  lag: LoopLag,
  warn: (text: string) => void,
  everyMs = 5_000,
): () => void {
  const t = setInterval(() => {
    const text = lag.describe(everyMs);
    if (text) warn(`late: ${text}`);
  }, everyMs);
  Deno.unrefTimer(t);
  return () => clearInterval(t);
}
