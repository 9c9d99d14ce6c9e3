/**
 * What several Central instances race on, settled by the database (compare-and-set): a supply
 * recorded while its CP is removed (one of them wins, never both), a ticket claimed by two
 * senders at once (one sends it), a supply's end stored twice (one ticket).
 */
import assert from "node:assert/strict";
import { openDatabase } from "../central/db/database.ts";
import { CpRepo } from "../central/db/cp_repo.ts";
import { SessionRepo } from "../central/db/session_repo.ts";
import { findPostgresServer, freshDatabase } from "./support/postgres.ts";

const server = await findPostgresServer();

Deno.test({
  name: "claims: removal against authorization, two ticket senders, two ends",
  ignore: !server,
  fn: async () => {
    const fresh = await freshDatabase(server!);
    const db = await openDatabase({ url: fresh.url });
    try {
      const cps = new CpRepo(db.sql);
      const sessions = new SessionRepo(db.sql);
      for (let round = 0; round < 30; round++) {
        const id = `CP${round}`;
        await cps.enroll({ id, location: "Lab", pricePerKwh: 0.3, secretHash: "x" });
        const [claim, removal] = await Promise.all([
          sessions.claim({
            id: `s${round}`,
            cpId: id,
            driverId: `D${round}`,
            requestId: `s${round}`,
            pricePerKwh: 0.3,
            authorizedAt: Date.now(),
          }),
          cps.remove(id),
        ]);
        // never a supply recorded at a CP that is gone
        if (removal === "removed") assert.equal(claim, "unknown CP", `round ${round}`);
        else assert.deepEqual([claim, removal], [undefined, "busy"], `round ${round}`);
      }
      await cps.enroll({ id: "T1", location: "Lab", pricePerKwh: 0.3, secretHash: "x" });
      const session = {
        id: "t1",
        cpId: "T1",
        driverId: "DT",
        requestId: "t1",
        pricePerKwh: 0.3,
        authorizedAt: Date.now(),
      };
      assert.equal(await sessions.claim(session), undefined);
      const now = new Date().toISOString();
      const ticket = {
        sessionId: "t1",
        cpId: "T1",
        driverId: "DT",
        start: now,
        end: now,
        kwh: 1,
        eur: 0.3,
        partial: false,
        reason: "unplugged",
      };
      const ends = await Promise.all([
        sessions.end(ticket, ["authorized", "charging"]),
        sessions.end(ticket, ["authorized", "charging"]),
      ]);
      assert.equal(ends.filter((e) => e !== undefined).length, 1, "one end stored");
      const claims = await Promise.all([
        sessions.claimTicket("t1", "central-a"),
        sessions.claimTicket("t1", "central-b"),
      ]);
      assert.deepEqual(claims.sort(), [false, true], "one sender");
      await sessions.ticketSent("t1");
      assert.equal(await sessions.claimTicket("t1", "central-a"), false, "sent: nobody again");
      assert.deepEqual(await sessions.unsentTickets(["T1"]), []);
    } finally {
      await db.close();
      await fresh.drop();
    }
  },
});
