import assert from "node:assert/strict";
import { BadCursorError, SessionPages } from "./session_pages.ts";
import { openDatabase } from "./database.ts";
import { findPostgresServer, freshDatabase } from "../../tests/support/postgres.ts";

const server = await findPostgresServer();

Deno.test({
  name: "session pages walk every session once, newest first, exactly at equal times",
  ignore: !server,
  fn: async () => {
    const fresh = await freshDatabase(server!);
    const db = await openDatabase({ url: fresh.url });
    try {
      // 25 sessions, several authorized in the same microsecond
      for (let i = 0; i < 25; i++) {
        await db.sql`insert into sessions (id, cp_id, driver_id, request_id, status, price_per_kwh,
          authorized_at) values (${`s${String(i).padStart(2, "0")}`}, 'CP1', ${i % 2 ? "D1" : "D2"},
          ${`r${i}`}, 'ended', 0.3, ${new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor(i / 4)))})`;
      }
      const pages = new SessionPages(db.sql);
      const seen: string[] = [];
      let before: string | undefined;
      let count = 0;
      do {
        const page = await pages.page({ limit: 4, before });
        assert.ok(page.items.length <= 4);
        seen.push(...page.items.map((s) => s.id));
        before = page.next;
        count++;
      } while (before && count < 20);
      assert.equal(seen.length, 25);
      assert.equal(new Set(seen).size, 25, "no session twice");
      const times = seen.map((id) => Number(id.slice(1)));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => Math.floor(b / 4) - Math.floor(a / 4) || b - a),
      );
      const d1 = await pages.page({ driver: "D1", limit: 100 });
      assert.equal(d1.items.length, 12);
      assert.equal(d1.next, undefined);
      await assert.rejects(pages.page({ limit: 4, before: "garbage!" }), BadCursorError);
    } finally {
      await db.close();
      await fresh.drop();
    }
  },
});
