/**
 * How long Central takes to answer a driver: from the broker's append time of a supply request
 * (the requests topic keeps the broker's time) to the moment the broker acknowledged the answer
 * (`authorized` or `denied`), as `ev_request_answer_seconds`. Measured this way at 3,000 CPs, an
 * authorization's tail was on the way in (taken by a consumer p99 ~100–150 ms), not in the claim or
 * the answer's publishing.
 *
 * Requests never answered here (another instance's, a duplicate) are forgotten, oldest first,
 * past `capacity`.
 *
 * @module
 */
import type { Metrics } from "../../shared/metrics.ts";

/** Times requests from their append at the broker to their answer's acknowledgement. */
export class AnswerTimer {
  readonly #received = new Map<string, number>();
  readonly #histogram: { observe(seconds: number): void };

  constructor(metrics: Metrics, readonly capacity = 10_000, private readonly now = Date.now) {
    this.#histogram = metrics.histogram(
      "ev_request_answer_seconds",
      "supply request appended at the broker → its answer acknowledged by the broker",
    );
  }

  /** A request was read; `brokerMs` is its record's (broker) timestamp. */
  received(requestId: string, brokerMs: number): void {
    if (!Number.isFinite(brokerMs)) return;
    this.#received.set(requestId, brokerMs);
    if (this.#received.size > this.capacity) {
      this.#received.delete(this.#received.keys().next().value!);
    }
  }

  /** The answer to `requestId` was acknowledged by the broker. */
  answered(requestId: string): void {
    const at = this.#received.get(requestId);
    if (at === undefined) return;
    this.#received.delete(requestId);
    this.#histogram.observe(Math.max(0, this.now() - at) / 1000);
  }
}
