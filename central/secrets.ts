/**
 * CP secrets: generated when none is given, stored only as a salted SHA-256 hash, compared in
 * constant time. A secret is never logged.
 *
 * @module
 */

const encoder = new TextEncoder();

/** A new random secret (24 bytes, base64url). */
export function generateSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}

/** `salt$hash` of a secret, to store. */
export async function hashSecret(secret: string, salt = randomHex(16)): Promise<string> {
  return `${salt}$${await sha256Hex(salt + secret)}`;
}

/** Whether `secret` matches a stored `salt$hash`. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [salt, expected] = stored.split("$");
  if (!salt || !expected) return false;
  const actual = await sha256Hex(salt + secret);
  let diff = actual.length ^ expected.length;
  for (let i = 0; i < Math.min(actual.length, expected.length); i++) {
    diff |= actual.charCodeAt(i) ^ expected.charCodeAt(i);
  }
  return diff === 0;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return toHex(new Uint8Array(digest));
}

function randomHex(bytes: number): string {
  return toHex(crypto.getRandomValues(new Uint8Array(bytes)));
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
