import assert from "node:assert/strict";
import { ProgressSaver } from "./progress_saver.ts";

type Row = { id: string; kw: number; kwh: number; eur: number };

Deno.test("progress is saved in chunks, one after the other, with the latest figures", async () => {
  const statements: Row[][] = [];
  let running = 0;
  let overlapped = false;
  const saver = new ProgressSaver(
    {
      progress: async (rows: Row[]) => {
        running++;
        overlapped ||= running > 1;
        await new Promise((r) => setTimeout(r, 1));
        statements.push(rows);
        running--;
      },
    },
    undefined,
    60_000,
    2,
  );
  for (let i = 0; i < 5; i++) saver.save(`s${i}`, { kw: 1, kwh: i, eur: 0 });
  saver.save("s0", { kw: 1, kwh: 9, eur: 0 });
  await saver.flush();
  assert.deepEqual(statements.map((rows) => rows.length), [2, 2, 1]);
  assert.equal(statements.flat().find((r) => r.id === "s0")?.kwh, 9);
  assert.equal(overlapped, false);
});

Deno.test("a chunk the database refuses does not stop the others", async () => {
  const saved: string[] = [];
  const saver = new ProgressSaver(
    {
      progress: (rows: Row[]) => {
        if (rows[0].id === "a") return Promise.reject(new Error("refused"));
        saved.push(...rows.map((r) => r.id));
        return Promise.resolve();
      },
    },
    undefined,
    60_000,
    1,
  );
  saver.save("a", { kw: 1, kwh: 1, eur: 0 });
  saver.save("b", { kw: 1, kwh: 1, eur: 0 });
  await saver.flush();
  assert.deepEqual(saved, ["b"]);
});
