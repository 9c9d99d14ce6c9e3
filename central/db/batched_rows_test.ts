import assert from "node:assert/strict";
import { BatchedRows } from "./batched_rows.ts";
import { DbLanes } from "./lanes.ts";

const tick = () => new Promise((r) => setTimeout(r, 1));

Deno.test("writes waiting for their turn go in one statement, each caller answered", async () => {
  const lanes = new DbLanes(1);
  const statements: number[][] = [];
  const writes = new BatchedRows<number, boolean>(lanes, "normal", async (rows) => {
    statements.push(rows);
    await tick();
    return rows.map((n) => n % 2 === 0);
  }, 3);
  // a statement holds the only place: the writes queue behind it
  const busy = lanes.run("urgent", tick);
  const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => writes.add(n)));
  await busy;
  assert.deepEqual(statements, [[1, 2, 3], [4, 5]]);
  assert.deepEqual(answers, [false, true, false, true, false]);
});

Deno.test("a row the database refuses fails alone; when it is away, every row is told", async () => {
  const lanes = new DbLanes(1);
  const refused = Object.assign(new Error("invalid input"), { code: "22P02" });
  let away = false;
  const writes = new BatchedRows<string>(lanes, "normal", (rows) => {
    if (away) return Promise.reject(Object.assign(new Error("gone"), { code: "ECONNREFUSED" }));
    return rows.includes("bad") ? Promise.reject(refused) : Promise.resolve();
  });
  const results = await Promise.allSettled(["a", "bad", "c"].map((r) => writes.add(r)));
  assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
  away = true;
  const gone = await Promise.allSettled(["d", "e"].map((r) => writes.add(r)));
  assert.deepEqual(gone.map((r) => r.status), ["rejected", "rejected"]);
  assert.deepEqual(lanes.waiting(), { urgent: 0, normal: 0, background: 0 });
});
