import assert from "node:assert/strict";
import { generateSecret, hashSecret, verifySecret } from "./secrets.ts";

Deno.test("a stored secret verifies only the right secret", async () => {
  const secret = generateSecret();
  assert.match(secret, /^[A-Za-z0-9_-]{32}$/);
  const stored = await hashSecret(secret);
  assert.ok(!stored.includes(secret));
  assert.equal(await verifySecret(secret, stored), true);
  assert.equal(await verifySecret(secret + "x", stored), false);
  assert.equal(await verifySecret(secret, "garbage"), false);
});
