/**
 * A hashed timer wheel: one interval drives every timer of a process. Timers fall due in slots
 * of {@link TimerWheelOptions.slotMs}; periodic ones are staggered over their period, so that
 * thousands of one-second ticks do not all run in the same turn of the event loop. A wheel that
 * runs late (its process was busy or stopped) catches up: one-shot timers fire late, never lost;
 * a periodic one fires once, then keeps its phase.
 *
 * @module
 */
import type { Cancel, Scheduler } from "./scheduler.ts";

/** Options of {@link TimerWheel}. */
export interface TimerWheelOptions {
  /** Resolution: timers fall due on multiples of this. @default 50 */
  slotMs?: number;
  /** Slots in the ring (timers further away wait for their round). @default 256 */
  slots?: number;
  /** The clock, ms. @default performance.now */
  now?: () => number;
  /** Drives the wheel itself (none: call {@link TimerWheel.advance} yourself). @default setInterval */
  drive?: boolean;
}

interface Entry {
  /** The slot number it falls due in. */
  due: number;
  fn: () => void;
  /** Periodic: its period in slots. */
  period?: number;
  cancelled: boolean;
}

/**
 * One interval for many timers.
 *
 * @example
 * ```ts
 * import { TimerWheel } from "./timer_wheel.ts";
 * const wheel = new TimerWheel();
 * const cancel = wheel.every(1000, () => {});
 * cancel();
 * wheel.close();
 * ```
 */
export class TimerWheel implements Scheduler {
  readonly #slotMs: number;
  readonly #ring: Set<Entry>[];
  readonly #now: () => number;
  readonly #start: number;
  /** The last slot processed. */
  #done = 0;
  /** Periodic timers made so far (their phases are spread by it). */
  #periodic = 0;
  #interval: ReturnType<typeof setInterval> | undefined;
  #size = 0;

  constructor(options: TimerWheelOptions = {}) {
    const { slotMs = 50, slots = 256, now = () => performance.now(), drive = true } = options;
    if (!(slotMs > 0)) {
      throw new RangeError(
        `Cannot use 'slotMs' as it must be positive: current value is ${slotMs}`,
      );
    }
    if (!Number.isInteger(slots) || slots < 2) {
      throw new RangeError(
        `Cannot use 'slots' as it must be an integer ≥ 2: current value is ${slots}`,
      );
    }
    this.#slotMs = slotMs;
    this.#ring = Array.from({ length: slots }, () => new Set());
    this.#now = now;
    this.#start = now();
    if (drive) this.#interval = setInterval(() => this.advance(), slotMs);
  }

  /** Timers waiting now. */
  get size(): number {
    return this.#size;
  }

  after(ms: number, fn: () => void): Cancel {
    const at = this.#now() + Math.max(0, ms) - this.#start;
    const due = Math.max(this.#done + 1, Math.ceil(at / this.#slotMs));
    return this.#add({ due, fn, cancelled: false });
  }

  every(ms: number, fn: () => void): Cancel {
    const period = Math.max(1, Math.round(ms / this.#slotMs));
    // staggered: the n-th periodic timer of a period starts n slots in (mod the period)
    const phase = (this.#periodic++ % period) + 1;
    return this.#add({ due: this.#current() + phase, fn, period, cancelled: false });
  }

  /** Runs what fell due up to now (the interval calls it; tests may too). */
  advance(): void {
    const target = this.#current();
    while (this.#done < target) {
      const slot = ++this.#done;
      const bucket = this.#ring[slot % this.#ring.length];
      if (bucket.size === 0) continue;
      // (deleting while iterating a Set is safe; what is added meanwhile falls due later)
      for (const entry of bucket) {
        if (entry.due > slot) continue; // a later round
        bucket.delete(entry);
        this.#size--;
        if (entry.cancelled) continue;
        if (entry.period !== undefined) {
          // next in its phase, never twice for one late turn
          let next = entry.due + entry.period;
          while (next <= target) next += entry.period;
          entry.due = next;
          this.#put(entry);
        }
        try {
          entry.fn();
        } catch (e) {
          queueMicrotask(() => {
            throw e;
          });
        }
      }
    }
  }

  /** Stops driving (waiting timers are dropped). */
  close(): void {
    clearInterval(this.#interval);
    for (const bucket of this.#ring) bucket.clear();
    this.#size = 0;
  }

  #current(): number {
    return this.#slotAt(this.#now());
  }

  #slotAt(t: number): number {
    return Math.floor((t - this.#start) / this.#slotMs);
  }

  #add(entry: Entry): Cancel {
    this.#put(entry);
    return () => {
      if (entry.cancelled) return;
      entry.cancelled = true;
      if (this.#ring[entry.due % this.#ring.length].delete(entry)) this.#size--;
    };
  }

  #put(entry: Entry): void {
    this.#ring[entry.due % this.#ring.length].add(entry);
    this.#size++;
  }
}
