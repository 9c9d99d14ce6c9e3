/**
 * A limit on AUTH attempts, for a server that checks secrets: each attempt costs a database look-up
 * and an audit row, so a peer may make only a few per connection, an address only so many a
 * second, and an address whose attempts fail is held back harder. Call {@link AuthLimit.attempt}
 * before looking anything up, and {@link AuthLimit.failed} when a secret or a CP is refused.
 *
 * @module
 */
import { type Rate, RateLimit, TokenBucket } from "../limits/rate_limit.ts";
import { hostOf } from "../limits/host_of.ts";

/** Options of {@link AuthLimit}. */
export interface AuthLimitOptions {
  /** Attempts on one connection (a Monitor makes one). @default { burst: 3, perSecond: 0.2 } */
  perLink?: Rate;
  /** Attempts from one address (a fleet simulator registers thousands of CPs from one). @default { burst: 2000, perSecond: 500 } */
  perAddress?: Rate;
  /** Failed attempts from one address. @default { burst: 20, perSecond: 1 } */
  failuresPerAddress?: Rate;
  /** The clock, in ms. @default performance.now */
  clock?: () => number;
}

/**
 * AUTH attempts limited per link, per address, and failures per address.
 *
 * @example
 * ```ts
 * import { AuthLimit } from "./auth_limit.ts";
 * const authLimit = new AuthLimit();
 * const link = {}; // the FramedLink the AUTH came on
 * const refused = authLimit.attempt(link, "192.0.2.7:51000");
 * // refused: undefined (go on and check the secret), or the NACK reason
 * ```
 */
export class AuthLimit {
  readonly #perLinkRate: Rate;
  readonly #perLink = new WeakMap<object, TokenBucket>();
  readonly #perAddress: RateLimit;
  readonly #failures: RateLimit;
  readonly #clock: () => number;

  /** A limit with the given rates. */
  constructor(options: AuthLimitOptions = {}) {
    const {
      perLink = { burst: 3, perSecond: 0.2 },
      perAddress = { burst: 2000, perSecond: 500 },
      failuresPerAddress = { burst: 20, perSecond: 1 },
      clock = () => performance.now(),
    } = options;
    new TokenBucket(perLink); // checks the rate
    this.#perLinkRate = perLink;
    this.#perAddress = new RateLimit({ ...perAddress, clock });
    this.#failures = new RateLimit({ ...failuresPerAddress, clock });
    this.#clock = clock;
  }

  /**
   * One AUTH attempt on `link` from `remote` (`host:port`): `undefined` when it may go on, else
   * the reason to NACK it with (nothing should be looked up then).
   */
  attempt(link: object, remote: string): string | undefined {
    const now = this.#clock();
    let bucket = this.#perLink.get(link);
    if (!bucket) this.#perLink.set(link, bucket = new TokenBucket(this.#perLinkRate, now));
    if (!bucket.take(now)) return "too many AUTH attempts on this connection";
    const address = hostOf(remote);
    const wait = this.#failures.waitMs(address);
    if (wait > 0) {
      return `too many failed AUTH attempts from ${address}: try again in ${
        Math.ceil(wait / 1000)
      } s`;
    }
    const refused = this.#perAddress.take(address);
    return refused && `too many AUTH attempts from ${address}: ${refused}`;
  }

  /** An attempt from `remote` was refused (unknown CP, wrong secret). */
  failed(remote: string): void {
    this.#failures.take(hostOf(remote));
  }
}
