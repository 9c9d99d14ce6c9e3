/**
 * What Central tells each driver, also handed to the driver's web page (an SSE stream per driver
 * id) as it is published: the page sees exactly what the driver's app sees, and nothing of others.
 *
 * @module
 */
import type { NotificationEvent } from "../shared/events.ts";
import type { SupplyOutbox } from "./supplies.ts";

/** Listeners by driver id. */
export class DriverBus {
  readonly #listeners = new Map<string, Set<(e: NotificationEvent) => void>>();

  /** Calls `listener` with every notification to `driverId`; returns a function that stops it. */
  subscribe(driverId: string, listener: (e: NotificationEvent) => void): () => void {
    let set = this.#listeners.get(driverId);
    if (!set) this.#listeners.set(driverId, set = new Set());
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(driverId);
    };
  }

  /** An outbox that publishes through `inner`, then tells this driver's listeners. */
  wrap(inner: SupplyOutbox): SupplyOutbox {
    return {
      toEngine: (e) => inner.toEngine(e),
      toDriver: async (e) => {
        await inner.toDriver(e);
        for (const listener of this.#listeners.get(e.driverId) ?? []) listener(e);
      },
    };
  }
}
