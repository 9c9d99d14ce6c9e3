/**
 * The database as Central's shell and its Monitor links use it: every statement in its lane
 * (`lanes.ts`: what somebody waits for goes first), and the rows of a busy network (a supply
 * recorded, a CP's state, a car plugged in, an end stored, a ticket claimed and sent, a
 * registration's lookup and audit row) gathered many per statement (`batched_rows.ts`).
 *
 * @module
 */
import type { ShellPorts } from "../shell/shell.ts";
import type { MonitorLinksOptions } from "../socket/monitor_links.ts";
import type { AuditEntry, AuditRepo } from "./audit_repo.ts";
import type { SessionRepo } from "./session_repo.ts";
import type { CpRepo } from "./cp_repo.ts";
import type { DbLanes } from "./lanes.ts";
import { BatchedRows } from "./batched_rows.ts";
import type { CpState } from "../../shared/cp_view.ts";
import type { Ticket } from "../../shared/events.ts";
import type { EndableStatus, NewSession } from "../core/effects.ts";

/** The shell's `sessions` and `cps` ports over the repos, in the lanes given. */
export function shellDatabase(
  sessions: SessionRepo,
  cps: CpRepo,
  lanes: Pick<DbLanes, "run">,
): Pick<ShellPorts, "sessions" | "cps"> {
  const states = new BatchedRows<{ id: string; state: CpState; stopped: boolean }>(
    lanes,
    "normal",
    (rows) => cps.saveStates(rows),
  );
  const starts = new BatchedRows<{ id: string; at: Date }>(
    lanes,
    "normal",
    (rows) => sessions.startedMany(rows),
  );
  // somebody waits for these: a driver for its claim, an Engine's report for its stored end
  const claims = new BatchedRows(lanes, "urgent", (rows: NewSession[]) => sessions.claimMany(rows));
  const ends = new BatchedRows(
    lanes,
    "urgent",
    (rows: Array<{ ticket: Ticket; from: EndableStatus[] }>) => sessions.endMany(rows),
  );
  const ticketClaims = new BatchedRows<{ id: string; by: string }, boolean>(
    lanes,
    "normal",
    (rows) => claimEach(sessions, rows),
  );
  const sent = new BatchedRows<string>(lanes, "normal", (ids) => sessions.ticketsSent(ids));
  return {
    cps: { saveState: (id, state, stopped) => states.add({ id, state, stopped }) },
    sessions: {
      claim: (s) => claims.add(s),
      // an Engine's report waits for its session
      load: (id) => lanes.run("urgent", () => sessions.load(id)),
      end: (ticket, from) => ends.add({ ticket, from }),
      expire: (id, reason) => lanes.run("normal", () => sessions.expire(id, reason)),
      releaseTicket: (id, by) => lanes.run("normal", () => sessions.releaseTicket(id, by)),
      started: (id, at) => starts.add({ id, at }),
      claimTicket: (id, by) => ticketClaims.add({ id, by }),
      ticketSent: (id) => sent.add(id),
    },
  };
}

/**
 * The Monitor links' `cps` and `audit` ports: a registration's statements wait after the claims
 * drivers wait on (under a registration burst, authorizations come first).
 */
export function linksDatabase(
  cps: CpRepo,
  audit: AuditRepo,
  lanes: Pick<DbLanes, "run">,
): Pick<MonitorLinksOptions, "cps" | "audit"> {
  const lookups = new BatchedRows(lanes, "normal", (ids: string[]) => cps.getMany(ids));
  const entries = new BatchedRows(lanes, "normal", (e: AuditEntry[]) => audit.recordMany(e));
  return {
    cps: {
      get: (id) => lookups.add(id),
      updateDetails: (id, location, price) =>
        lanes.run("normal", () => cps.updateDetails(id, location, price)),
    },
    audit: { record: (e) => entries.add(e) },
  };
}

/** Claims of one sender go in one statement (an instance claims only for itself). */
async function claimEach(
  sessions: SessionRepo,
  rows: Array<{ id: string; by: string }>,
): Promise<boolean[]> {
  const answers = new Map<string, boolean>();
  for (const by of new Set(rows.map((r) => r.by))) {
    const ids = rows.filter((r) => r.by === by).map((r) => r.id);
    const claimed = await sessions.claimTickets(ids, by);
    ids.forEach((id, i) => answers.set(`${by}\n${id}`, claimed[i]));
  }
  return rows.map((r) => answers.get(`${r.by}\n${r.id}`)!);
}
