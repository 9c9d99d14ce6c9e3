/**
 * Latencies without keeping every value: a log-scale histogram (about 2 % wide buckets), so that
 * a fleet recording ten thousand end-to-end times a second for an hour still answers p50 and p99
 * in constant memory.
 *
 * @module
 */

const GROWTH = Math.log(1.02);

/**
 * A histogram of non-negative values (ms).
 *
 * @example
 * ```ts
 * import { Histogram } from "./histogram.ts";
 * const h = new Histogram();
 * for (const v of [1, 2, 3, 100]) h.add(v);
 * h.percentile(50); // ≈ 2
 * ```
 */
export class Histogram {
  #counts: number[] = [];
  #n = 0;
  #max = 0;
  #sum = 0;

  /** Adds one value (negative values count as 0). */
  add(value: number): void {
    const v = Math.max(0, value);
    const i = Math.floor(Math.log1p(v) / GROWTH);
    this.#counts[i] = (this.#counts[i] ?? 0) + 1;
    this.#n++;
    this.#sum += v;
    if (v > this.#max) this.#max = v;
  }

  /** How many values were added. */
  get count(): number {
    return this.#n;
  }

  /** The largest value. */
  get max(): number {
    return this.#max;
  }

  /** The mean value (NaN when empty). */
  get mean(): number {
    return this.#n ? this.#sum / this.#n : NaN;
  }

  /** The `p`th percentile (0–100), within a bucket's width; NaN when empty. */
  percentile(p: number): number {
    if (this.#n === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#n));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i] ?? 0;
      if (seen >= rank) {
        // the bucket's middle, never above the largest value seen
        const low = Math.expm1(i * GROWTH);
        const high = Math.expm1((i + 1) * GROWTH);
        return Math.min(this.#max, (low + high) / 2);
      }
    }
    return this.#max;
  }

  /** Forgets every value. */
  reset(): void {
    this.#counts = [];
    this.#n = 0;
    this.#max = 0;
    this.#sum = 0;
  }
}
