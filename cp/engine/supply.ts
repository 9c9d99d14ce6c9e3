/**
 * A supply at the Engine, as plain data and pure steps: authorize → plug (charging) → a tick a
 * second adds energy → end (unplug, stop order, fault) with its final figures.
 *
 * @module
 */

/** A supply the Engine holds. */
export interface Supply {
  sessionId: string;
  driverId: string;
  pricePerKwh: number;
  /** authorized: waiting for the car; charging: energy flows. */
  phase: "authorized" | "charging";
  /** ms since epoch. */
  authorizedAt: number;
  startedAt?: number;
  kw: number;
  kwh: number;
  eur: number;
}

/** How a supply ended. */
export type EndReason = "unplugged" | "stopped" | "fault" | "cancelled" | "restart";

/** The final figures of a supply. */
export interface SupplyEnd {
  sessionId: string;
  driverId: string;
  start: number;
  end: number;
  kwh: number;
  eur: number;
  /** It did not end by unplugging: the car did not get all it asked for. */
  partial: boolean;
  reason: EndReason;
}

/** A supply just authorized. */
export function authorized(
  sessionId: string,
  driverId: string,
  pricePerKwh: number,
  now: number,
): Supply {
  return {
    sessionId,
    driverId,
    pricePerKwh,
    phase: "authorized",
    authorizedAt: now,
    kw: 0,
    kwh: 0,
    eur: 0,
  };
}

/** The car is plugged in: energy starts to flow. */
export function plugged(supply: Supply, now: number): Supply {
  return { ...supply, phase: "charging", startedAt: now };
}

/**
 * `seconds` more of supply at `kw`: cumulative kWh and € grow.
 *
 * @example
 * ```ts
 * tick({ ...s, phase: "charging" }, 3600, 7); // kwh + 7, eur + 7 * price
 * ```
 */
export function tick(supply: Supply, seconds: number, kw: number): Supply {
  if (supply.phase !== "charging") return supply;
  const kwh = supply.kwh + (kw * seconds) / 3600;
  return { ...supply, kw, kwh, eur: kwh * supply.pricePerKwh };
}

/** The power drawn this second: near the CP's maximum, as a real car's would wander. */
export function powerNow(maxKw: number, random = Math.random): number {
  return maxKw * (0.85 + random() * 0.1);
}

/** The final figures of a supply ending now. */
export function ended(supply: Supply, reason: EndReason, now: number): SupplyEnd {
  return {
    sessionId: supply.sessionId,
    driverId: supply.driverId,
    start: supply.startedAt ?? supply.authorizedAt,
    end: now,
    kwh: supply.kwh,
    eur: supply.kwh * supply.pricePerKwh,
    partial: reason !== "unplugged",
    reason,
  };
}
