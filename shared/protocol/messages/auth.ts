/**
 * `AUTH#seq#cpId#secret#location#pricePerKwh`: a Monitor proves its CP's identity to Central.
 * Central answers `ACK#seq#state` (the CP's state as text) or `NACK#seq#reason`.
 *
 * @module
 */
import { ProtocolError, quote } from "../errors.ts";
import { checkLength, type MessageCodec } from "./codec.ts";

/** A Monitor's request to register its CP with Central. */
export interface AuthRequest {
  type: "AUTH";
  seq: number;
  /** 1-64 characters of A-Z a-z 0-9 . _ - */
  cpId: string;
  /** 1-256 characters; never logged. */
  secret: string;
  /** 0-200 characters. */
  location: string;
  /** Euros, at least 0 and below 100; empty on the wire (undefined) keeps what Central has. */
  pricePerKwh?: number;
}

const CP_ID = /^[A-Za-z0-9._-]{1,64}$/;
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
  arity: 4,
  encode: (m) => [m.cpId, m.secret, m.location, m.pricePerKwh?.toString() ?? ""],
  decode(seq, [cpId, secret, location, price]) {
    if (!CP_ID.test(cpId)) {
      throw new ProtocolError(
        "field",
        `cpId must be 1-64 characters of A-Z a-z 0-9 . _ -, got ${quote(cpId)}`,
      );
    }
    checkLength("secret", secret, 1, 256);
    checkLength("location", location, 0, 200);
    const pricePerKwh = price === "" ? undefined : Number(price);
    if (pricePerKwh !== undefined && (!UNSIGNED_NUMBER.test(price) || !(pricePerKwh < 100))) {
      throw new ProtocolError(
        "field",
        `price must be a decimal number >= 0 and < 100, got ${quote(price)}`,
      );
    }
    return { type: "AUTH", seq, cpId, secret, location, pricePerKwh };
  },
};
