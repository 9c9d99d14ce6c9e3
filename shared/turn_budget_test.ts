import assert from "node:assert/strict";
import { TurnBudget } from "./turn_budget.ts";

/** Busy for `ms` (a record's synchronous work). */
function work(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* working */ }
}

Deno.test("bytes that arrive during long work are read between its slices", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const server = await listener.accept();
  try {
    let readAt = 0;
    const reading = server.read(new Uint8Array(8)).then(() => (readAt = performance.now()));
    const budget = new TurnBudget(5);
    const t0 = performance.now();
    await client.write(new Uint8Array([1]));
    for (let i = 0; i < 100; i++) {
      work(1); // 100 ms of work in all
      await budget.pace();
    }
    const doneAt = performance.now();
    await reading;
    assert.ok(budget.yields > 0);
    assert.ok(readAt < doneAt, `read ${readAt - t0} ms in, the work ended at ${doneAt - t0} ms`);
  } finally {
    client.close();
    server.close();
    listener.close();
  }
});

Deno.test("work within the budget goes on in the same turn", async () => {
  const budget = new TurnBudget(1_000);
  for (let i = 0; i < 100; i++) assert.equal(budget.pace(), undefined);
  assert.equal(budget.yields, 0);
  await new Promise((r) => setTimeout(r, 0)); // its turn marker runs
});
