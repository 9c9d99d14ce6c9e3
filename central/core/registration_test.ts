import assert from "node:assert/strict";
import { admission, mayAuthenticate, mayRequest } from "./registration.ts";

Deno.test("only an enrolled CP with its secret registers", () => {
  assert.deepEqual(admission("CP1", true, true), { ok: true });
  assert.deepEqual(admission("CP9", false, false), {
    ok: false,
    reason: "unknown CP 'CP9' (enroll it first)",
  });
  assert.deepEqual(admission("CP1", true, false), { ok: false, reason: "wrong secret" });
});

Deno.test("one AUTH per link; reports only once authenticated", () => {
  assert.equal(mayAuthenticate("new").ok, true);
  assert.deepEqual(mayAuthenticate("verifying"), {
    ok: false,
    reason: "authentication in progress",
  });
  assert.deepEqual(mayAuthenticate("authenticated"), {
    ok: false,
    reason: "already authenticated",
  });
  assert.equal(mayAuthenticate("closed").ok, false);
  assert.deepEqual(mayRequest("new", "HEALTH"), { ok: false, reason: "authenticate first (AUTH)" });
  assert.equal(mayRequest("authenticated", "HEALTH").ok, true);
  assert.equal(mayRequest("authenticated", "STOP").ok, false);
});
