import assert from "node:assert/strict";
import { DeterministicError, isDeterministic, retrying } from "./failures.ts";

Deno.test("the database refusing a value is deterministic; the database away is not", () => {
  assert.equal(isDeterministic({ code: "22P02" }), true);
  assert.equal(isDeterministic({ code: "23514" }), true);
  assert.equal(isDeterministic({ code: "57P01" }), false);
  assert.equal(isDeterministic({ code: "08006" }), false);
  assert.equal(isDeterministic({ code: "ECONNREFUSED" }), false);
  assert.equal(isDeterministic(new Error("connection closed")), false);
  assert.equal(isDeterministic(new TypeError("x is undefined")), true);
});

Deno.test("a transient failure is tried again; a deterministic one is thrown at once", async () => {
  let calls = 0;
  const value = await retrying(() => {
    calls++;
    return calls < 3 ? Promise.reject({ code: "ECONNRESET" }) : Promise.resolve(42);
  }, { what: "test" });
  assert.equal(value, 42);
  assert.equal(calls, 3);
  await assert.rejects(
    retrying(() => Promise.reject({ code: "22P02", message: "bad" }), { what: "test" }),
    DeterministicError,
  );
});
