/**
 * Long synchronous work in slices: a loop over thousands of records calls {@link TurnBudget.pace}
 * after each, and once the current stretch of work (everyone's, since the event loop last polled
 * for I/O) has lasted the budget, every caller waits for the next turn. What waited meanwhile (a
 * driver's request, a database answer, a Monitor's report) is served in between: a telemetry batch
 * of 2,000 records no longer holds an authorization for the whole batch.
 *
 * @module
 */
import { setImmediate } from "node:timers";

/**
 * Slices of at most `budgetMs` of synchronous work, shared by all its callers.
 *
 * @example
 * ```ts
 * import { TurnBudget } from "./turn_budget.ts";
 * const budget = new TurnBudget(4);
 * for (let i = 0; i < 1000; i++) {
 *   // … one record's work …
 *   await budget.pace();
 * }
 * ```
 */
export class TurnBudget {
  /** When this stretch began (undefined: none yet since the loop last polled). */
  #stretch: number | undefined;
  #next: Promise<void> | undefined;
  /** Times a caller was made to wait for the next turn. */
  yields = 0;

  constructor(readonly budgetMs = 4, private readonly now = () => performance.now()) {}

  /** Resolves at once while the stretch is within budget, else on the next turn. */
  pace(): Promise<void> | undefined {
    const now = this.now();
    if (this.#stretch === undefined) {
      this.#stretch = now;
      // the next check phase comes after the loop polled for I/O: a new stretch then
      setImmediate(() => (this.#stretch = undefined));
      return;
    }
    if (now - this.#stretch < this.budgetMs) return;
    this.yields++;
    return this.#next ??= new Promise((resolve) =>
      setImmediate(() => {
        this.#next = undefined;
        resolve();
      })
    );
  }
}
