/**
 * The rows of a busy network gathered many per statement (a CP's state, a car plugged in, a
 * ticket claimed and sent, a registration's lookup and audit row) land as if written one by one:
 * every row its own values, every caller its own answer, on the embedded database.
 */
import assert from "node:assert/strict";
import { type Database, openDatabase } from "../central/db/database.ts";
import { CpRepo } from "../central/db/cp_repo.ts";
import { SessionRepo } from "../central/db/session_repo.ts";
import { AuditRepo } from "../central/db/audit_repo.ts";
import { DbLanes } from "../central/db/lanes.ts";
import { linksDatabase, shellDatabase } from "../central/db/database_ports.ts";

const N = 150;

/** Runs `test` against a new embedded database. */
async function withEmbedded(test: (db: Database) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ev-ports-" });
  const db = await openDatabase({ dataDir: dir });
  try {
    await test(db);
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("rows written together land one by one, each caller answered", async () => {
  await withEmbedded(async (db) => {
    const repos = { cps: new CpRepo(db.sql), sessions: new SessionRepo(db.sql) };
    const lanes = new DbLanes(2);
    const shell = shellDatabase(repos.sessions, repos.cps, lanes);
    const links = linksDatabase(repos.cps, new AuditRepo(db.sql), lanes);
    const ids = Array.from({ length: N }, (_, i) => `CP${i}`);
    for (const id of ids) {
      await repos.cps.enroll({ id, location: `Lab ${id}`, pricePerKwh: 0.3, secretHash: "x" });
    }
    // a registration burst: every lookup answered with its own row, every attempt audited
    const rows = await Promise.all([...ids, "NOPE"].map((id) => links.cps.get(id)));
    assert.deepEqual(rows.map((r) => r?.location), [...ids.map((id) => `Lab ${id}`), undefined]);
    await Promise.all(ids.map((id) => links.audit.record({ actor: id, action: "authenticate" })));
    const audited = await db.sql`select actor from audit where action = 'authenticate'`;
    assert.equal(new Set(audited.map((r) => r.actor)).size, N);

    // a start burst: each CP's own state, each supply's own start
    await Promise.all(ids.map((id, i) =>
      shell.sessions.claim({
        id: `s${i}`,
        cpId: id,
        driverId: `D${i}`,
        requestId: `s${i}`,
        pricePerKwh: 0.3,
        authorizedAt: Date.now(),
      })
    ));
    await Promise.all(ids.map((id, i) =>
      Promise.all([
        shell.cps.saveState(id, i % 2 ? "charging" : "faulted", i % 3 === 0),
        shell.sessions.started(`s${i}`, new Date(Date.UTC(2026, 0, 1, 0, 0, i))),
      ])
    ));
    const cps = await repos.cps.list();
    for (const [i, id] of ids.entries()) {
      const cp = cps.find((c) => c.id === id)!;
      assert.deepEqual([cp.state, cp.stopped], [i % 2 ? "charging" : "faulted", i % 3 === 0]);
    }
    const started = await db.sql`select id, status, started_at from sessions order by id`;
    for (const r of started) {
      const i = Number(r.id.slice(1));
      assert.equal(r.status, "charging");
      assert.equal(r.started_at.getTime(), Date.UTC(2026, 0, 1, 0, 0, i));
    }

    // ends: every ticket claimed once, by one of two senders, then sent
    const now = new Date().toISOString();
    await Promise.all(ids.map((id, i) =>
      shell.sessions.end({
        sessionId: `s${i}`,
        cpId: id,
        driverId: `D${i}`,
        start: now,
        end: now,
        kwh: 1,
        eur: 0.3,
        partial: false,
        reason: "unplugged",
      }, ["charging"])
    ));
    const claims = await Promise.all(
      ids.flatMap((_, i) => ["a", "b"].map((by) => shell.sessions.claimTicket(`s${i}`, by))),
    );
    for (let i = 0; i < N; i++) {
      assert.equal(claims.slice(2 * i, 2 * i + 2).filter(Boolean).length, 1, `s${i}: one sender`);
    }
    await Promise.all(ids.map((_, i) => shell.sessions.ticketSent(`s${i}`)));
    assert.deepEqual(await repos.sessions.unsentTickets(ids), []);
    assert.deepEqual(lanes.waiting(), { urgent: 0, normal: 0, background: 0 });
  });
});

Deno.test("claims and ends in one statement are refused as if made one by one", async () => {
  await withEmbedded(async (db) => {
    const repos = { cps: new CpRepo(db.sql), sessions: new SessionRepo(db.sql) };
    const lanes = new DbLanes(1);
    const shell = shellDatabase(repos.sessions, repos.cps, lanes);
    for (const id of ["A", "B", "C"]) {
      await repos.cps.enroll({ id, location: "Lab", pricePerKwh: 0.3, secretHash: "x" });
    }
    const claim = (id: string, cpId: string, driverId: string) =>
      shell.sessions.claim({
        id,
        cpId,
        driverId,
        requestId: id,
        pricePerKwh: 0.3,
        authorizedAt: Date.now(),
      });
    // the only place is taken: every claim below waits for the same turn
    const busy = lanes.run("urgent", () => new Promise((r) => setTimeout(r, 50)));
    const answers = await Promise.all([
      claim("s1", "A", "D1"),
      claim("s2", "A", "D2"), // A is taken by s1
      claim("s3", "B", "D1"), // D1 charges at A
      claim("s1", "C", "D3"), // the same request again
      claim("s4", "NOPE", "D4"),
      claim("s5", "C", "D5"),
    ]);
    await busy;
    assert.deepEqual(answers, [
      undefined,
      "CP busy",
      "driver already has a supply in progress",
      "duplicate request",
      "unknown CP",
      undefined,
    ]);
    const now = new Date().toISOString();
    const ticket = {
      sessionId: "s1",
      cpId: "A",
      driverId: "D1",
      start: now,
      end: now,
      kwh: 2.5,
      eur: 0.75,
      partial: true,
      reason: "engine fault",
    };
    const ends = await Promise.all([
      shell.sessions.end(ticket, ["authorized", "charging"]),
      shell.sessions.end(ticket, ["authorized", "charging"]),
      shell.sessions.end({ ...ticket, sessionId: "s5", cpId: "C", driverId: "D5" }, ["charging"]),
    ]);
    assert.deepEqual(ends, [ticket, undefined, undefined], "one ticket; s5 never charged");
    const [row] = await repos.sessions.list({ cp: "A" });
    assert.deepEqual(
      [row.status, row.kwh, row.eur, row.partial, row.endReason],
      ["ended", 2.5, 0.75, true, "engine fault"],
    );
  });
});
