/**
 * `AUTH#seq#cpId#secret#location#pricePerKwh[#health]`: a Monitor proves its CP's identity to
 * Central, and says how its Engine is right now (so that a faulted CP is never shown available,
 * not even for the second until its first HEALTH report). Central answers `ACK#seq#state` (the
 * CP's state as text) or `NACK#seq#reason`.
 *
 * @module
 */
import { ProtocolError, quote } from "../errors.ts";
import { checkCpId, checkLength, checkText, type MessageCodec, oneOf } from "./codec.ts";
import type { Health } from "./health.ts";

/** A Monitor's request to register its CP with Central. */
export interface AuthRequest {
  type: "AUTH";
  seq: number;
  /** 1-64 characters of A-Z a-z 0-9 . _ - */
  cpId: string;
  /** 1-256 characters; never logged. */
  secret: string;
  /** 0-200 characters, no control characters. */
  location: string;
  /** Euros, at least 0 and below 100; empty on the wire (undefined) keeps what Central has. */
  pricePerKwh?: number;
  /** The Engine's health when the Monitor registers; absent means OK (older Monitors). */
  health?: Health;
}

/** What `String(number)` writes for a number ≥ 0 (decimals, and exponents for tiny or huge ones). */
const UNSIGNED_NUMBER = /^[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?$/;

/**
 * Codec of AUTH.
 *
 * @example
 * ```ts
 * import { auth } from "./auth.ts";
 * console.log(auth.decode(1, ["CP1", "s3cr3t", "Alicante", "0.30"]).pricePerKwh); // 0.3
 * ```
 */
export const auth: MessageCodec<AuthRequest> = {
  encode: (m) => [
    m.cpId,
    m.secret,
    m.location,
    m.pricePerKwh?.toString() ?? "",
    ...(m.health ? [m.health] : []),
  ],
  decode(seq, fields) {
    if (fields.length !== 4 && fields.length !== 5) {
      throw new ProtocolError("arity", `AUTH needs 4 or 5 fields, got ${fields.length}`);
    }
    const [cpId, secret, location, price, healthText] = fields;
    checkCpId(cpId);
    checkLength("secret", secret, 1, 256);
    checkText("location", location, 0, 200);
    const pricePerKwh = price === "" ? undefined : Number(price);
    if (pricePerKwh !== undefined && (!UNSIGNED_NUMBER.test(price) || !(pricePerKwh < 100))) {
      throw new ProtocolError(
        "field",
        `price must be a decimal number >= 0 and < 100, got ${quote(price)}`,
      );
    }
    const health = healthText === undefined
      ? undefined
      : oneOf("health", healthText, ["OK", "KO"] as const);
    return {
      type: "AUTH",
      seq,
      cpId,
      secret,
      location,
      pricePerKwh,
      ...(health ? { health } : {}),
    };
  },
};
