/**
 * Transient or deterministic: a failure of the database (or of publishing) is either the world
 * being away for a while (retry the same thing, with backoff) or the thing itself being refused
 * (retrying cannot help: set the record aside, count it, go on).
 *
 * @module
 */
import { Backoff, sleep } from "../../shared/backoff.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";

const log = createLogger("central");

/** A failure that will happen again: the record that caused it is set aside (dead letter). */
export class DeterministicError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DeterministicError";
  }
}

/** SQLSTATE classes that say the statement itself is refused (data, integrity, syntax). */
const REFUSED_CLASSES = new Set(["22", "23", "42", "2B", "2F", "44"]);

/**
 * Whether an error means "refused" rather than "away for now".
 *
 * @example
 * ```ts
 * isDeterministic({ code: "22P02" }); // true: invalid input for its type
 * isDeterministic({ code: "ECONNREFUSED" }); // false: the server is away
 * ```
 */
export function isDeterministic(e: unknown): boolean {
  if (e instanceof DeterministicError) return true;
  const code = (e as { code?: unknown })?.code;
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) {
    return REFUSED_CLASSES.has(code.slice(0, 2));
  }
  // a bug of ours (a TypeError on bad data) will fail the same way again
  return e instanceof TypeError || e instanceof RangeError;
}

/** Options of {@link retrying}. */
export interface RetryOptions {
  /** What is being done, for the log. */
  what: string;
  /** Gives up (throws) when it aborts. */
  signal?: AbortSignal;
}

/**
 * Runs `fn` until it succeeds, waiting with backoff while the failure is transient; a
 * deterministic failure is thrown as a {@link DeterministicError} at once.
 */
export async function retrying<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  const backoff = new Backoff({ minMs: 250, maxMs: 5_000 });
  let told = false;
  while (true) {
    try {
      const value = await fn();
      if (told) log.info(`${o.what}: done after retrying`);
      return value;
    } catch (e) {
      if (isDeterministic(e)) {
        throw new DeterministicError(`${o.what}: ${errorMessage(e)}`, { cause: e });
      }
      if (o.signal?.aborted) throw e;
      if (!told) log.warn(`${o.what}: ${errorMessage(e)} (trying again until it works)`);
      told = true;
      await sleep(backoff.next(), o.signal);
    }
  }
}
