/**
 * Engine faults injected at a rate (`--fault-rate`): a CP picked at random goes KO for a few
 * seconds, then recovers. Every injection is remembered, so that a CP shown faulted can be told
 * apart: injected, or a fault nobody injected (which must never happen).
 *
 * @module
 */

/** How faults are injected. */
export interface FaultOptions {
  ids: string[];
  /** Faults per second, over the whole fleet. */
  rate: number;
  /** Seconds a fault lasts. */
  seconds: number;
  /** Makes CP `id`'s Engine KO for `seconds`. */
  fail(id: string, seconds: number): void;
}

/** Injected faults are counted apart from those nobody injected for this long after recovery. */
const GRACE_MS = 10_000;

/** The running injector. */
export class FaultInjector {
  injected = 0;
  readonly #windows = new Map<string, { from: number; to: number }>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly o: FaultOptions) {}

  /** Starts injecting. */
  start(): void {
    if (!(this.o.rate > 0) || this.o.ids.length === 0) return;
    this.#timer = setInterval(() => this.#inject(), 1000 / this.o.rate);
  }

  /** Stops injecting. */
  stop(): void {
    clearInterval(this.#timer);
  }

  /** Whether a fault of `id` seen at `atMs` (epoch ms) is one injected here. */
  wasInjected(id: string, atMs: number): boolean {
    const w = this.#windows.get(id);
    return w !== undefined && atMs >= w.from && atMs <= w.to + GRACE_MS;
  }

  #inject(): void {
    const now = Date.now();
    for (let tries = 0; tries < 5; tries++) {
      const id = this.o.ids[Math.floor(Math.random() * this.o.ids.length)];
      const w = this.#windows.get(id);
      if (w && now <= w.to + GRACE_MS) continue; // still failing, or just recovered
      this.#windows.set(id, { from: now, to: now + this.o.seconds * 1000 });
      this.injected++;
      this.o.fail(id, this.o.seconds);
      return;
    }
  }
}
