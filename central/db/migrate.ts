/**
 * Schema migrations: numbered `.sql` files in `migrations/`, applied in order at start-up in one
 * transaction and recorded in `schema_migrations`, so applying them twice is a no-op.
 *
 * @module
 */
import type postgres from "postgres";
import { embeddedFile, embeddedNames } from "../../shared/embedded.ts";

const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);
/** Key of the advisory lock held while migrating (any constant shared by all Centrals). */
const MIGRATION_LOCK = 7_000_001;

/** A migration file: its version number, name and SQL. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Reads the migration files in order of their number (the embedded ones in a bundle or binary). */
export async function readMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const migrations: Migration[] = [];
  const embedded = dir === MIGRATIONS_DIR ? embeddedNames("central/db/migrations") : [];
  const names = embedded.length > 0
    ? embedded
    : (await Array.fromAsync(Deno.readDir(dir))).filter((e) => e.isFile).map((e) => e.name);
  for (const name of names) {
    const match = /^(\d+)_(.+)\.sql$/.exec(name);
    if (!match) continue;
    const kept = embedded.length > 0 ? embeddedFile(`central/db/migrations/${name}`) : undefined;
    const sql = kept ? new TextDecoder().decode(kept) : await Deno.readTextFile(new URL(name, dir));
    migrations.push({ version: Number(match[1]), name: match[2], sql });
  }
  return migrations.sort((a, b) => a.version - b.version);
}

/**
 * Applies the migrations not applied yet; returns the versions it applied.
 *
 * @example
 * ```ts
 * const applied = await migrate(sql); // [1, 2] the first time, [] after
 * ```
 */
export async function migrate(sql: postgres.Sql, dir: URL = MIGRATIONS_DIR): Promise<number[]> {
  const applied: number[] = [];
  const migrations = await readMigrations(dir);
  // One transaction under an advisory lock: two Centrals starting at once migrate once.
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`;
    const rows = await tx<{ version: number }[]>`select version from schema_migrations`;
    const done = new Set(rows.map((r) => r.version));
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await tx.unsafe(m.sql);
      await tx`insert into schema_migrations (version, name) values (${m.version}, ${m.name})`;
      applied.push(m.version);
    }
  });
  return applied;
}
