import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { TurnBudget } from "./turn_budget.ts";

Deno.test("work past the budget waits for the next turn, where what was waiting runs first", async () => {
  let clock = 0;
  const budget = new TurnBudget(4, () => clock);
  const order: string[] = [];
  const worker = async (name: string) => {
    for (let i = 0; i < 3; i++) {
      clock += 3; // each record costs 3 ms
      order.push(`${name}${i}`);
      await budget.pace();
    }
  };
  // work that came meanwhile (as I/O does): served between their slices, not after them all
  setImmediate(() => order.push("waiting"));
  await Promise.all([worker("a"), worker("b")]);
  assert.ok(budget.yields > 0);
  const at = order.indexOf("waiting");
  assert.ok(at > 0 && at < order.length - 1, `served in between: ${order}`);
  assert.deepEqual(order.filter((x) => x !== "waiting").sort(), [
    "a0",
    "a1",
    "a2",
    "b0",
    "b1",
    "b2",
  ]);
});

Deno.test("work within the budget goes on in the same turn", async () => {
  const budget = new TurnBudget(1_000);
  for (let i = 0; i < 100; i++) assert.equal(budget.pace(), undefined);
  assert.equal(budget.yields, 0);
  await new Promise((r) => setTimeout(r, 0)); // its turn marker runs
});
