/**
 * The address part of a remote `host:port`, which limits per address count by.
 *
 * @module
 */

/**
 * The host of `host:port` (IPv6 too: the port is after the last colon).
 *
 * @example
 * ```ts
 * import { hostOf } from "./host_of.ts";
 * console.log(hostOf("192.0.2.7:51000"), hostOf("::1:51000")); // "192.0.2.7" "::1"
 * ```
 */
export function hostOf(remote: string): string {
  const colon = remote.lastIndexOf(":");
  return colon > 0 && /^\d+$/.test(remote.slice(colon + 1)) ? remote.slice(0, colon) : remote;
}
