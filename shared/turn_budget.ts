/**
 * Long synchronous work in slices: a loop over thousands of records calls {@link TurnBudget.pace}
 * after each, and once the current stretch of work (everyone's, since the event loop last polled
 * for I/O) has lasted the budget, every caller waits for the next turn. What arrived meanwhile (a
 * driver's request, a database answer, a Monitor's report) is served in between: a fetch of 600
 * telemetry records (80 ms of work at 3,000 CPs) no longer holds an authorization for all of it.
 *
 * The wait is a zero timer: in Deno 2.9 `setImmediate` and a `MessageChannel` come back without
 * polling for I/O (measured: a socket's bytes were read only once a 100 ms loop of such yields
 * ended), a timer comes back after the loop polled (the bytes read after the first slice). It
 * costs ~2 ms when nothing else is waiting, so it is taken only past the budget.
 *
 * @module
 */

/**
 * Slices of at most `budgetMs` of synchronous work, shared by all its callers.
 *
 * @example
 * ```ts
 * import { TurnBudget } from "./turn_budget.ts";
 * const budget = new TurnBudget(5);
 * for (let i = 0; i < 1000; i++) {
 *   // … one record's work …
 *   await budget.pace();
 * }
 * ```
 */
export class TurnBudget {
  /** When this stretch began (undefined: none since the loop last polled). */
  #stretch: number | undefined;
  #next: Promise<void> | undefined;
  /** Times the callers were made to wait for the next turn. */
  yields = 0;

  constructor(readonly budgetMs = 5, private readonly now = () => performance.now()) {}

  /** Resolves at once (undefined) while the stretch is within budget, else after the next poll. */
  pace(): Promise<void> | undefined {
    const now = this.now();
    if (this.#stretch === undefined) {
      this.#stretch = now;
      // a timer runs after the loop polled for I/O: a new stretch begins there
      setTimeout(() => (this.#stretch = undefined), 0);
      return;
    }
    if (now - this.#stretch < this.budgetMs) return;
    if (this.#next) return this.#next;
    this.yields++;
    return this.#next = new Promise((resolve) =>
      setTimeout(() => {
        this.#next = undefined;
        resolve();
      }, 0)
    );
  }
}
