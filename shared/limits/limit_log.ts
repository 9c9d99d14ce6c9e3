/**
 * Log lines for limits reached: the first of each kind is logged at once, then at most one a
 * period, saying how many more there were. A flood of refusals costs a counter, not a flood of
 * log lines (which would be a way to exhaust a program of its own).
 *
 * @module
 */
import type { Logger } from "../log.ts";

/** Options of {@link LimitLog}. */
export interface LimitLogOptions {
  /** At most one line of each kind this often. @default 10000 */
  everyMs?: number;
  /** The clock, in ms. @default performance.now */
  clock?: () => number;
}

/**
 * Throttled warnings, one stream per kind of limit.
 *
 * @example
 * ```ts
 * import { LimitLog } from "./limit_log.ts";
 * import { createLogger } from "../log.ts";
 * const limits = new LimitLog(createLogger("socket"));
 * limits.warn("connections-per-address", "refused a connection from 192.0.2.7: 64 open already");
 * ```
 */
export class LimitLog {
  readonly #log: Logger;
  readonly #everyMs: number;
  readonly #clock: () => number;
  readonly #kinds = new Map<string, { at: number; skipped: number }>();

  /** Warnings through `log`. */
  constructor(log: Logger, options: LimitLogOptions = {}) {
    const { everyMs = 10_000, clock = () => performance.now() } = options;
    this.#log = log;
    this.#everyMs = everyMs;
    this.#clock = clock;
  }

  /** Logs `line` unless a line of `kind` was logged less than `everyMs` ago (then counts it). */
  warn(kind: string, line: string): void {
    const now = this.#clock();
    const last = this.#kinds.get(kind);
    if (last && now - last.at < this.#everyMs) {
      last.skipped++;
      return;
    }
    const more = last?.skipped
      ? ` (and ${last.skipped} more like it since the last such line)`
      : "";
    this.#log.warn(`${line}${more}`);
    this.#kinds.set(kind, { at: now, skipped: 0 });
  }
}
