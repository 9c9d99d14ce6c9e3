/**
 * A seeded pseudo-random generator for reproducible property tests (mulberry32).
 *
 * @module
 */

/** Characters random texts are drawn from: plain, escaped, framing and multi-byte ones. */
const ALPHABET = [..."abcXYZ019 .-_%#\x00\x01\x02\x03\n\x1fé€😀"];

/**
 * A seeded generator: the same seed gives the same sequence.
 *
 * @example
 * ```ts
 * import { Prng } from "./_prng.ts";
 * const random = new Prng(42);
 * console.log(random.int(1, 6));
 * ```
 */
export class Prng {
  #state: number;

  /** Starts the sequence of `seed`. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  /** A text of 0 to `maxLength` characters, from an alphabet rich in characters to escape. */
  text(maxLength: number): string {
    return Array.from({ length: this.int(0, maxLength) }, () => this.pick(ALPHABET)).join("");
  }

  /** `bytes` cut into chunks of random sizes (some empty) at random points. */
  split(bytes: Uint8Array, maxChunk: number): Uint8Array[] {
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length;) {
      const size = this.int(0, maxChunk);
      chunks.push(bytes.subarray(at, at + size));
      at += size;
    }
    return chunks;
  }
}
