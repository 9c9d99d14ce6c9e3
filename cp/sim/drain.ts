/**
 * The load drops (`--drain`): once the figures are taken, every car is unplugged and the drivers
 * ask no more. What a network that held, or one that was past its largest N and lagging, must
 * then show by itself: every supply ends with exactly one ticket at its own driver, Central shows
 * every CP available again, and none faulted or disconnected meanwhile.
 *
 * @module
 */
import { sleep } from "../../shared/backoff.ts";
import type { Fleet } from "./fleet.ts";
import type { SimDrivers } from "./drivers.ts";
import type { NetworkWatch } from "./watch.ts";

/** What the drain saw. */
export interface DrainFigures {
  /** Seconds until every driver's last supply was over (null: not by the limit). */
  suppliesOverS: number | null;
  /** Seconds until Central showed every CP available (null: not by the limit). */
  availableS: number | null;
  /** Of the CPs, how many Central showed available at the end. */
  available: number;
  /** Tickets, expiries and timeouts of the supplies that ended in the drain. */
  tickets: number;
  expired: number;
  timeouts: number;
  /** CPs Central showed faulted or disconnected meanwhile that were not (must be 0). */
  uninjectedFaults: number;
}

/** What the drain works with. */
export interface DrainOptions {
  fleet: Fleet;
  drivers: SimDrivers;
  watch: NetworkWatch;
  ids: string[];
  /** Gives up after this many seconds. */
  limitS: number;
  /** True once the simulator is told to stop. */
  stopped(): boolean;
}

/** Unplugs every car (again each second: a car plugged meanwhile too) and waits for the network. */
export async function drain(o: DrainOptions): Promise<DrainFigures> {
  const started = Date.now();
  const limit = started + o.limitS * 1000;
  const before = { ...o.drivers.figures };
  const faults = () => o.watch.faults.uninjectedFaulted + o.watch.faults.disconnected;
  const faultsBefore = faults();
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  let suppliesOverS: number | null = null;
  o.drivers.finish().then(() => (suppliesOverS = seconds()));
  while (suppliesOverS === null && !o.stopped() && Date.now() < limit) {
    o.fleet.unplugAll();
    await sleep(1_000);
  }
  let availableS: number | null = null;
  while (!o.stopped() && Date.now() < limit) {
    if (o.watch.count(o.ids, "available") === o.ids.length) {
      availableS = seconds();
      break;
    }
    await sleep(250);
  }
  const after = o.drivers.figures;
  return {
    suppliesOverS,
    availableS,
    available: o.watch.count(o.ids, "available"),
    tickets: after.tickets - before.tickets,
    expired: after.expired - before.expired,
    timeouts: after.timeouts - before.timeouts,
    uninjectedFaults: faults() - faultsBefore,
  };
}
