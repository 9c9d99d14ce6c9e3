import assert from "node:assert/strict";
import { isMine } from "./mine.ts";

Deno.test("a driver's notifications are its own only", () => {
  assert.equal(isMine("D1", "D1", { driverId: "D1" }), true);
  assert.equal(isMine("D1", "D2", { driverId: "D2" }), false, "another driver's record");
  assert.equal(isMine("D1", "D1", { driverId: "D2" }), false, "keyed to me, for another");
  assert.equal(isMine("D1", "D2", { driverId: "D1" }), false, "for me, keyed to another");
  assert.equal(isMine("D1", undefined, { driverId: "D1" }), false);
});
