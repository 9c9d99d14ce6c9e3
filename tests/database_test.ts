import assert from "node:assert/strict";
import { DatabaseError, openDatabase } from "../central/db/database.ts";
import { migrate } from "../central/db/migrate.ts";
import { findPostgresServer, freshDatabase } from "./support/postgres.ts";

async function roundTrip(open: () => ReturnType<typeof openDatabase>) {
  const db = await open();
  try {
    await db.sql`insert into cps (id, location, price_per_kwh, secret_hash)
      values ('CP1', 'Lab 1', 0.35, 'x')`;
    const again = await migrate(db.sql);
    assert.deepEqual(again, [], "migrations applied twice");
  } finally {
    await db.close();
  }
  const reopened = await open();
  try {
    const rows = await reopened.sql<{ id: string; location: string; price: string }[]>`
      select id, location, price_per_kwh::text as price from cps`;
    assert.deepEqual(rows.map((r) => ({ ...r })), [{
      id: "CP1",
      location: "Lab 1",
      price: "0.3500",
    }]);
  } finally {
    await reopened.close();
  }
}

Deno.test("embedded database keeps its rows across a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ev-db-" });
  try {
    await roundTrip(() => openDatabase({ dataDir: dir }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the embedded database plans a statement once, not every time it runs", async () => {
  // a short statement planned each time cost PGlite twice as much (a claim 2.0 ms against 1.1)
  const dir = await Deno.makeTempDir({ prefix: "ev-db-" });
  const db = await openDatabase({ dataDir: dir });
  try {
    for (const id of ["CP1", "CP1"]) await db.sql`select id from cps where id = ${id}`;
    const prepared = await db.sql<{ statement: string }[]>`
      select statement from pg_prepared_statements`;
    assert.ok(
      prepared.some((p) => p.statement.includes("select id from cps where id = $1")),
      `not prepared: ${JSON.stringify(prepared)}`,
    );
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

const server = await findPostgresServer();

Deno.test({
  name: "the PostgreSQL server keeps its rows across a reconnect",
  // runs where DATABASE_URL or a local server at 127.0.0.1:5432 answers (CI has one)
  ignore: !server,
  fn: async () => {
    const fresh = await freshDatabase(server!);
    try {
      await roundTrip(() => openDatabase({ url: fresh.url }));
    } finally {
      await fresh.drop();
    }
  },
});

Deno.test("a live supply per CP and per driver is enforced by the database", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ev-db-" });
  const db = await openDatabase({ dataDir: dir });
  try {
    const insert = (id: string, cp: string, driver: string) =>
      db.sql`insert into sessions (id, cp_id, driver_id, request_id, status, price_per_kwh)
        values (${id}, ${cp}, ${driver}, ${id}, 'authorized', 0.3)`;
    await insert("s1", "CP1", "D1");
    await assert.rejects(insert("s2", "CP1", "D2"), /unique/i);
    await assert.rejects(insert("s3", "CP2", "D1"), /unique/i);
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a bad DATABASE_URL is one clear line", async () => {
  await assert.rejects(
    openDatabase({ url: "postgres://nobody:pw@127.0.0.1:1/none", connectTimeout: 2 }),
    (e: unknown) => {
      assert.ok(e instanceof DatabaseError);
      assert.match(
        e.message,
        /^cannot reach the database at postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none: /,
      );
      assert.ok(!e.message.includes("\n"));
      return true;
    },
  );
});
