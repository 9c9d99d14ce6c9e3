/**
 * How the Monitor waits, on both of its links: requests whose silence counts only the time this
 * process was on time, and pauses that a stop cuts short.
 *
 * @module
 */
import type { FramedLink, RequestBody } from "../../shared/protocol/link.ts";
import type { Reply } from "../../shared/protocol/messages.ts";
import type { LoopLag } from "../../shared/loop_lag.ts";
import type { Scheduler } from "../../shared/scheduler.ts";
import { GIVE_UP_MS } from "./patience.ts";

/**
 * Sends a request and waits for its answer; `undefined` when none came within `onTimeMs` of
 * waiting while this process was on time (that silence is evidence). Rejects when the link
 * closes, or after {@link GIVE_UP_MS} (or a quarter more than `onTimeMs`) without an answer nor
 * evidence (a Monitor late all along).
 */
export function askOnTime(
  lag: LoopLag,
  link: FramedLink,
  body: RequestBody,
  onTimeMs: number,
): Promise<Reply | undefined> {
  return new Promise((resolve, reject) => {
    const cancel = lag.afterOnTime(onTimeMs, () => resolve(undefined));
    // given up on only after the on-time wait could have ended (a long AUTH wait included)
    const timeoutMs = Math.max(GIVE_UP_MS, onTimeMs * 1.25);
    link.request(body, { timeoutMs }).then((reply) => {
      cancel();
      resolve(reply);
    }, (e) => {
      cancel();
      reject(e);
    });
  });
}

/**
 * Pauses on a scheduler that {@link Pauses.stop} ends at once, all of them (no abort listener per
 * pause: a fleet makes thousands a second).
 */
export class Pauses {
  readonly #sleepers = new Set<() => void>();
  #stopped = false;

  constructor(private readonly scheduler: Scheduler) {}

  /** Whether {@link Pauses.stop} was called. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Resolves after `ms`, or at once once stopped. */
  sleep(ms: number): Promise<void> {
    return this.#pause((wake) => this.scheduler.after(ms, wake));
  }

  /** Resolves after `ms` of waiting while this process was on time (`lag`), or once stopped. */
  sleepOnTime(lag: LoopLag, ms: number): Promise<void> {
    return this.#pause((wake) => lag.afterOnTime(ms, wake));
  }

  #pause(arm: (wake: () => void) => () => void): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.#sleepers.delete(wake);
        cancel();
        resolve();
      };
      const cancel = arm(wake);
      this.#sleepers.add(wake);
    });
  }

  /** Ends every pause, now and later. */
  stop(): void {
    this.#stopped = true;
    for (const wake of [...this.#sleepers]) wake();
  }
}
