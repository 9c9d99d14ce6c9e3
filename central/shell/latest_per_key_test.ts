import assert from "node:assert/strict";
import { LatestPerKey } from "./latest_per_key.ts";

Deno.test("several values of one key in one turn go out as the latest; other keys each", async () => {
  const sent: string[] = [];
  const relay = new LatestPerKey<string>((v) => (sent.push(v), Promise.resolve()));
  const done = [relay.push("s1", "a"), relay.push("s1", "b"), relay.push("s2", "x")];
  assert.deepEqual(sent, [], "nothing before the turn ends");
  await Promise.all(done);
  assert.deepEqual(sent, ["b", "x"]);
  await relay.push("s1", "c");
  assert.deepEqual(sent, ["b", "x", "c"]);
});
