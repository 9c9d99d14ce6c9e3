import assert from "node:assert/strict";
import { DbLanes } from "./lanes.ts";

Deno.test("an urgent statement goes before the writes queued ahead of it", async () => {
  const lanes = new DbLanes(1);
  const order: string[] = [];
  const statement = (name: string) => () => {
    order.push(name);
    return new Promise<string>((r) => setTimeout(() => r(name), 1));
  };
  const all = [
    lanes.run("normal", statement("state 1")),
    lanes.run("background", statement("figures")),
    lanes.run("normal", statement("state 2")),
    lanes.run("urgent", statement("claim")),
  ];
  assert.deepEqual(await Promise.all(all), ["state 1", "figures", "state 2", "claim"]);
  assert.deepEqual(order, ["state 1", "claim", "state 2", "figures"]);
});

Deno.test("no more than inFlight statements run at once, and a failure frees its place", async () => {
  const lanes = new DbLanes(2);
  let running = 0;
  let most = 0;
  const statement = (fail: boolean) => async () => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 2));
    running--;
    if (fail) throw new Error("refused");
  };
  const results = await Promise.allSettled(
    Array.from({ length: 8 }, (_, i) => lanes.run("normal", statement(i % 3 === 0))),
  );
  assert.equal(most, 2);
  assert.equal(results.filter((r) => r.status === "rejected").length, 3);
  assert.deepEqual(lanes.waiting(), { urgent: 0, normal: 0, background: 0 });
});
