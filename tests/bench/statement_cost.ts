/**
 * What a statement costs the database, alone and with many rows: 2,000 single-row updates of
 * `cps` one after the other, then pipelined, then in statements of 10, 100 and 500 rows.
 * `deno run -A tests/bench/statement_cost.ts [postgres://…]` (none: the embedded database, in a
 * temporary folder).
 *
 * @module
 */
import { openDatabase } from "../../central/db/database.ts";
import { CpRepo } from "../../central/db/cp_repo.ts";

const N = 2_000;
const url = Deno.args[0];
const dir = url ? undefined : await Deno.makeTempDir({ prefix: "ev-cost-" });
const db = await openDatabase(url ? { url } : { dataDir: dir });
const cps = new CpRepo(db.sql);
const ids = Array.from({ length: N }, (_, i) => `COST-${i}`);
try {
  await db.sql`delete from cps where id like 'COST-%'`;
  await db.sql`insert into cps (id, location, price_per_kwh, secret_hash)
    select unnest(${ids}::text[]), 'bench', 0.3, 'x'`;
  const perRow = async (run: () => Promise<unknown>) => {
    const t = performance.now();
    await run();
    return `${Math.round((performance.now() - t) / N * 1000)} µs`;
  };
  const oneByOne = await perRow(async () => {
    for (const id of ids) await cps.saveState(id, "charging", false);
  });
  const pipelined = await perRow(() =>
    Promise.all(ids.map((id) => cps.saveState(id, "available", false)))
  );
  const batched: string[] = [];
  for (const size of [10, 100, 500]) {
    batched.push(
      `${size} rows: ${await perRow(async () => {
        for (let i = 0; i < N; i += size) {
          await cps.saveStates(
            ids.slice(i, i + size).map((id) => ({ id, state: "reserved", stopped: false })),
          );
        }
      })}`,
    );
  }
  console.log(
    `${db.where}: per row, one by one ${oneByOne}, pipelined ${pipelined}, ` +
      `in statements of ${batched.join(", ")}`,
  );
} finally {
  await db.sql`delete from cps where id like 'COST-%'`;
  await db.close();
  if (dir) await Deno.remove(dir, { recursive: true });
}
