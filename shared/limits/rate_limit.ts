/**
 * Rate limits: a token bucket (a burst, then a steady rate), and a rate limit per key (a remote
 * address, a link, a CP) whose memory stays bounded however many keys come.
 *
 * @module
 */

/** How many at once, then how many a second. */
export interface Rate {
  /** Taken at once from a full bucket. */
  burst: number;
  /** Tokens added back each second (0 or more). */
  perSecond: number;
}

/**
 * A token bucket: {@link TokenBucket.take} succeeds `burst` times at once, then `perSecond`
 * times a second.
 *
 * @example
 * ```ts
 * import { TokenBucket } from "./rate_limit.ts";
 * const bucket = new TokenBucket({ burst: 2, perSecond: 1 });
 * console.log(bucket.take(), bucket.take(), bucket.take()); // true true false
 * ```
 */
export class TokenBucket {
  readonly #burst: number;
  readonly #perMs: number;
  #tokens: number;
  #at: number;

  /** A full bucket at time `now` (ms). */
  constructor(rate: Rate, now = performance.now()) {
    const { burst, perSecond } = rate;
    if (!(burst >= 1)) {
      throw new RangeError(`Cannot limit as 'burst' must be at least 1: current value is ${burst}`);
    }
    if (!(perSecond >= 0)) {
      throw new RangeError(
        `Cannot limit as 'perSecond' must be 0 or more: current value is ${perSecond}`,
      );
    }
    this.#burst = burst;
    this.#perMs = perSecond / 1000;
    this.#tokens = burst;
    this.#at = now;
  }

  /** Takes one token if there is one at `now`. */
  take(now = performance.now()): boolean {
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Whether the bucket is full at `now` (it then remembers nothing worth keeping). */
  full(now = performance.now()): boolean {
    this.#refill(now);
    return this.#tokens >= this.#burst;
  }

  /** Ms until a token is there (0 when one is). */
  waitMs(now = performance.now()): number {
    this.#refill(now);
    if (this.#tokens >= 1) return 0;
    return this.#perMs > 0 ? Math.ceil((1 - this.#tokens) / this.#perMs) : Infinity;
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#perMs);
    this.#at = now;
  }
}

/** Options of {@link RateLimit}. */
export interface RateLimitOptions extends Rate {
  /** Keys tracked at most; full buckets are forgotten first. @default 10000 */
  maxKeys?: number;
  /** The clock, in ms. @default performance.now */
  clock?: () => number;
}

/**
 * A token bucket per key. When `maxKeys` buckets are in use and none is full, a new key is
 * refused: a flood of keys cannot make it forget the ones it is holding back.
 *
 * @example
 * ```ts
 * import { RateLimit } from "./rate_limit.ts";
 * const auth = new RateLimit({ burst: 5, perSecond: 1 });
 * const refused = auth.take("192.0.2.7"); // undefined, or why ("try again in 1 s")
 * ```
 */
export class RateLimit {
  readonly #rate: Rate;
  readonly #maxKeys: number;
  readonly #clock: () => number;
  readonly #buckets = new Map<string, TokenBucket>();
  /** When full buckets were last looked for: at most once a second, so a flood costs no scans. */
  #sweptAt = -Infinity;

  /** A limit of `burst` then `perSecond` for each key. */
  constructor(options: RateLimitOptions) {
    const { burst, perSecond, maxKeys = 10_000, clock = () => performance.now() } = options;
    if (!(maxKeys >= 1)) {
      throw new RangeError(
        `Cannot limit as 'maxKeys' must be at least 1: current value is ${maxKeys}`,
      );
    }
    new TokenBucket({ burst, perSecond }); // checks the rate
    this.#rate = { burst, perSecond };
    this.#maxKeys = maxKeys;
    this.#clock = clock;
  }

  /** Keys tracked now. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Takes one for `key`: `undefined` when allowed, else why not (for the refusal's text). */
  take(key: string): string | undefined {
    const now = this.#clock();
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.#maxKeys && !this.#forgetFull(now)) {
        return `too many at once from too many places: try again later`;
      }
      bucket = new TokenBucket(this.#rate, now);
      this.#buckets.set(key, bucket);
    }
    if (bucket.take(now)) return undefined;
    return `try again in ${Math.max(1, Math.ceil(bucket.waitMs(now) / 1000))} s`;
  }

  /** Ms until `key` has a token again (0 when it has one, or is not tracked). */
  waitMs(key: string): number {
    return this.#buckets.get(key)?.waitMs(this.#clock()) ?? 0;
  }

  /** Forgets every full bucket (at most once a second); whether any was. */
  #forgetFull(now: number): boolean {
    if (now - this.#sweptAt < 1000) return false;
    this.#sweptAt = now;
    const before = this.#buckets.size;
    for (const [key, bucket] of this.#buckets) if (bucket.full(now)) this.#buckets.delete(key);
    return this.#buckets.size < before;
  }
}
