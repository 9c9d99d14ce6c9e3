import assert from "node:assert/strict";
import { RecentIds } from "./recent_ids.ts";

Deno.test("a seen id is refused until it is forgotten", () => {
  const ids = new RecentIds(2);
  assert.equal(ids.add("a"), true);
  assert.equal(ids.add("a"), false);
  ids.add("b");
  ids.add("c");
  assert.equal(ids.add("a"), true);
});
