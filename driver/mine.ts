/**
 * Whether a notification is this driver's: keyed by its id and addressed to it. A driver sees
 * its own supplies only, never another driver's progress or tickets (BRIEF §3).
 *
 * @module
 */

/**
 * Whether a record keyed `key` carrying an event for `event.driverId` is for `driverId`.
 *
 * @example
 * ```ts
 * isMine("D1", "D1", { driverId: "D1" }); // true
 * isMine("D1", "D1", { driverId: "D2" }); // false: forged, or misrouted
 * ```
 */
export function isMine(driverId: string, key: string | undefined, event: { driverId: string }) {
  return key === driverId && event.driverId === driverId;
}
