/**
 * The real PostgreSQL server for tests: `DATABASE_URL`, else a local server at 127.0.0.1:5432 when
 * one answers. Each test gets a fresh database of its own, dropped afterwards.
 *
 * @module
 */
import postgres from "postgres";

/** A server's admin URL when one answers, else undefined. */
export async function findPostgresServer(): Promise<string | undefined> {
  const candidates = [Deno.env.get("DATABASE_URL"), "postgres://postgres@127.0.0.1:5432/postgres"];
  for (const url of candidates) {
    if (!url) continue;
    const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`select 1`;
      return url;
    } catch {
      // not there
    } finally {
      await sql.end({ timeout: 1 }).catch(() => {});
    }
  }
  return undefined;
}

/** A fresh database on the server at `adminUrl`: its URL, and a function that drops it. */
export async function freshDatabase(
  adminUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `evtest_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 1 });
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await sql.end({ timeout: 1 });
      }
    },
  };
}
