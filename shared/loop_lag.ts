/**
 * How late this process's event loop is, and whether it was late around a given time: what a
 * program needs so that its own lateness never passes for somebody else's silence (BRIEF §4:
 * "Overload is not a failure").
 *
 * A sampler runs every {@link LoopLagOptions.sampleMs}; each time it runs later than it should,
 * the loop was busy (or the process was stopped) for that long. With `io`, a byte is also echoed
 * over a loopback socket of the process's own: the time it takes to be read back is how long a
 * peer's answer waits to be read (under thousands of sockets, I/O can lag while timers are on
 * time: measured with 1,000 CPs in one process, a CHECK unanswered for 990 ms while timers were
 * late for 144 ms of it). Late spans from both are kept for a while, so that a timeout can ask "of
 * the time I waited, how much was I on time?" and wait on until it has really waited that long
 * ({@link LoopLag.waitOnTime}).
 *
 * (`node:perf_hooks` `monitorEventLoopDelay` and `performance.eventLoopUtilization()` exist under
 * Deno 2.9.6 but measured nothing here: a 300 ms busy loop read as a 0.02 ms delay.)
 *
 * @module
 */
import { type Cancel, type Scheduler, timers } from "./scheduler.ts";

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
  /**
   * Also time an echo over a loopback socket of its own every `sampleMs`: under a load of many
   * sockets, answers can wait to be read while timers still run on time, and only an I/O echo
   * shows it (needs network permission for 127.0.0.1). @default false
   */
  io?: boolean;
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
  /** A ring of late spans (start, end), in the order they ended. */
  readonly #from: Float64Array;
  readonly #to: Float64Array;
  #spans = 0;
  /** Spans older than this were overwritten: before it, nothing is known. */
  #knownSince: number;
  /** A ring of raw lateness values (timer drift, I/O echo), with when they were seen. */
  readonly #valueAt: Float64Array;
  readonly #value: Float64Array;
  #values = 0;
  #last: number;
  /** Whether the sampler's last turn was late. */
  #behind = false;
  /** When the I/O echo in flight was sent (undefined: none in flight). */
  #echoSent: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #echo: { close(): void } | undefined;

  constructor(options: LoopLagOptions = {}) {
    const {
      sampleMs = 100,
      toleranceMs = 20,
      keepMs = 120_000,
      notableMs = 250,
      now = () => performance.now(),
      sample = true,
      io = false,
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
    const size = Math.max(16, Math.ceil(keepMs / sampleMs) * (io ? 2 : 1));
    this.#from = new Float64Array(size);
    this.#to = new Float64Array(size);
    this.#valueAt = new Float64Array(size);
    this.#value = new Float64Array(size);
    this.#last = now();
    this.#knownSince = this.#last;
    if (sample) this.#arm();
    if (io) void this.#startEcho();
  }

  /**
   * Records that the loop ran at `t` (the sampler's turn). Late when more than a period passed:
   * from when it should have run, or, when its last turn was late too, since that turn (a loop
   * behind at every turn never caught up in between: a fleet's process that had work for more
   * than its share of the cores was "on time" for the first 120 ms of each of its 300 ms turns,
   * and those bits added up to a peer's whole timeout while its answers waited for 30 s).
   */
  observe(t: number = this.#now()): void {
    const late = Math.max(0, t - this.#last - this.#sampleMs);
    const previous = this.#last;
    this.#last = t;
    this.#keepValue(t, late);
    if (late <= this.#tolerance) this.#behind = false;
    else {
      this.#span(this.#behind ? previous : t - late + this.#tolerance, t);
      this.#behind = true;
    }
  }

  /**
   * Records an I/O echo: a byte written to this process's own loopback socket at `sent` was read
   * back at `received`. Its time is how long a peer's answer would have waited to be read.
   */
  observeEcho(sent: number, received: number): void {
    const took = received - sent;
    this.#keepValue(received, took);
    if (took > this.#tolerance) this.#span(sent + this.#tolerance, received);
  }

  /** How long, between `from` and `to`, this process was late (beyond jitter), ms. */
  lateMs(from: number, to: number = this.#now()): number {
    if (to <= from) return 0;
    const spans: [number, number][] = [];
    const add = (a: number, b: number) => {
      const s = Math.max(a, from);
      const e = Math.min(b, to);
      if (e > s) spans.push([s, e]);
    };
    // behind right now: the sampler has not run for longer than a period, or an echo is out
    add(this.#last + this.#sampleMs + this.#tolerance, to);
    if (this.#echoSent !== undefined) add(this.#echoSent + this.#tolerance, to);
    const n = Math.min(this.#spans, this.#from.length);
    for (let k = 1; k <= n; k++) {
      const i = (this.#spans - k) % this.#from.length;
      if (this.#to[i] <= from) break;
      add(this.#from[i], this.#to[i]);
    }
    add(from, this.#knownSince); // older than what is kept: not known to be on time
    // spans from the two sources may overlap: their union
    spans.sort((a, b) => a[0] - b[0]);
    let late = 0;
    let end = -Infinity;
    for (const [s, e] of spans) {
      if (e <= end) continue;
      late += e - Math.max(s, end);
      end = e;
    }
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
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(false);
      const aborted = () => {
        cancel();
        resolve(false);
      };
      const cancel = this.afterOnTime(ms, () => {
        signal?.removeEventListener("abort", aborted);
        resolve(true);
      });
      signal?.addEventListener("abort", aborted, { once: true });
    });
  }

  /**
   * Calls `fn` once `ms` of on-time waiting have passed (the callback form of
   * {@link LoopLag.waitOnTime}, without a promise or a signal: what a fleet's thousands of
   * deadlines a second use); returns the function that cancels it.
   */
  afterOnTime(ms: number, fn: () => void): Cancel {
    const from = this.#now();
    let cancel: Cancel;
    const check = () => {
      const left = ms - this.onTimeMs(from);
      if (left <= 0.5) fn();
      else cancel = this.#scheduler.after(left, check);
    };
    cancel = this.#scheduler.after(ms, check);
    return () => cancel();
  }

  /** Lateness over the last `windowMs`. */
  figures(windowMs = 5_000): LagFigures {
    const now = this.#now();
    const behind = Math.max(
      0,
      now - this.#last - this.#sampleMs,
      this.#echoSent === undefined ? 0 : now - this.#echoSent,
    );
    const values: number[] = [];
    const n = Math.min(this.#values, this.#value.length);
    let latest = 0;
    for (let k = 1; k <= n; k++) {
      const i = (this.#values - k) % this.#value.length;
      if (this.#valueAt[i] < now - windowMs) break;
      if (k <= 2) latest = Math.max(latest, this.#value[i]);
      values.push(this.#value[i]);
    }
    values.sort((a, b) => a - b);
    const p99 = values.length ? values[Math.ceil(values.length * 0.99) - 1] : 0;
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
    this.#echo?.close();
  }

  #keepValue(t: number, value: number): void {
    const i = this.#values++ % this.#value.length;
    this.#valueAt[i] = t;
    this.#value[i] = value;
  }

  #span(from: number, to: number): void {
    const i = this.#spans++ % this.#from.length;
    if (this.#spans > this.#from.length) this.#knownSince = Math.max(this.#knownSince, this.#to[i]);
    this.#from[i] = from;
    this.#to[i] = to;
  }

  /** An echo over a loopback socket pair of this process, one in flight at a time. */
  async #startEcho(): Promise<void> {
    let listener: Deno.Listener | undefined;
    let client: Deno.TcpConn | undefined;
    let server: Deno.Conn | undefined;
    const close = () => {
      for (const c of [listener, client, server]) {
        try {
          c?.close();
        } catch {
          // closed already
        }
      }
    };
    this.#echo = { close };
    try {
      listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const accepting = listener.accept();
      client = await Deno.connect({
        hostname: "127.0.0.1",
        port: (listener.addr as Deno.NetAddr).port,
      });
      server = await accepting;
      listener.close();
      listener = undefined;
      client.unref();
      server.unref();
      const byte = new Uint8Array([1]);
      const buffer = new Uint8Array(64);
      while (!this.#closed) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.#sampleMs);
          Deno.unrefTimer(t);
        });
        if (this.#closed) break;
        // the read is waiting before the byte is written, as a peer's answer is awaited: a read of
        // bytes already there completes at once, without waiting its turn with the other sockets
        const reading = server.read(buffer);
        const sent = this.#now();
        this.#echoSent = sent;
        await client.write(byte);
        if (await reading === null) break;
        this.#echoSent = undefined;
        this.observeEcho(sent, this.#now());
      }
    } catch {
      // closed, or no loopback here: the timer alone tells
    } finally {
      this.#echoSent = undefined;
      close();
    }
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
