/**
 * The `sessions` table: one row per authorized supply, its ticket once ended. Every write that
 * several instances could race on is a compare-and-set (a claim, an end from a given status, a
 * ticket claimed before it is sent); what a refusal means is the core's to decide.
 *
 * @module
 */
import type postgres from "postgres";
import type { Ticket } from "../../shared/events.ts";
import type { ClaimRefusal, LiveSession, StoredSession } from "../core/inputs.ts";
import type { EndableStatus, NewSession } from "../core/effects.ts";
import { oncePerKey } from "./batched_rows.ts";

/** A session as the API shows it. */
export interface SessionView {
  id: string;
  /** Id of the request that asked for it. */
  requestId: string;
  cp: string;
  driver: string;
  status: "authorized" | "charging" | "ended" | "expired";
  pricePerKwh: number;
  authorizedAt: string;
  start?: string;
  end?: string;
  kwh: number;
  eur: number;
  partial: boolean;
  endReason?: string;
  /** The ticket: present once the supply has ended. */
  ticket?: {
    sessionId: string;
    cp: string;
    driver: string;
    start: string;
    end: string;
    kwh: number;
    eur: number;
    partial: boolean;
  };
}

/** Filters of {@link SessionRepo.list}. */
export interface SessionFilter {
  cp?: string;
  driver?: string;
  /** At most this many. */
  limit?: number;
}

/** How long a ticket's claim holds before another sender may take it over. */
const CLAIM_LEASE_SECONDS = 30;

/** Reads and writes the `sessions` table. */
export class SessionRepo {
  constructor(private readonly sql: postgres.Sql) {}

  /** Sessions, newest first. */
  async list(filter: SessionFilter = {}): Promise<SessionView[]> {
    const { cp = null, driver = null, limit = null } = filter;
    const rows = await this.sql<RawSession[]>`select * from sessions
      where (${cp}::text is null or cp_id = ${cp})
        and (${driver}::text is null or driver_id = ${driver})
      order by authorized_at desc, id desc limit ${limit}`;
    return rows.map(toView);
  }

  /** One session, or undefined. */
  async get(id: string): Promise<SessionView | undefined> {
    const rows = await this.sql<RawSession[]>`select * from sessions where id = ${id}`;
    return rows[0] && toView(rows[0]);
  }

  /**
   * Records a supply the core authorized; returns why the database would not, or undefined.
   * The CP's row is locked (shared) meanwhile: a removal waits, or is seen and refused.
   */
  async claim(s: NewSession): Promise<ClaimRefusal | undefined> {
    try {
      // one statement, one round trip: the CP's row locked (shared) as the session is inserted
      const rows = await this.sql`insert into sessions (id, cp_id, driver_id, request_id, status,
          price_per_kwh, authorized_at)
        select ${s.id}, id, ${s.driverId}, ${s.requestId}, 'authorized', ${s.pricePerKwh},
          ${new Date(s.authorizedAt)}
        from cps where id = ${s.cpId} for share
        returning id`;
      return rows.length === 0 ? "unknown CP" : undefined;
    } catch (e) {
      const err = e as { code?: string; constraint_name?: string };
      if (err.code !== "23505") throw e;
      const constraint = err.constraint_name ?? "";
      if (constraint.includes("per_cp")) return "CP busy";
      if (constraint.includes("per_driver")) return "driver already has a supply in progress";
      return "duplicate request";
    }
  }

  /**
   * Records many supplies in one statement, each answered as {@link claim} would: the rows the
   * database did not take (a conflict, an unknown CP: rare) are tried again alone for their
   * reason. Rows go in in the order given (the first of two at one CP wins), the CPs' rows
   * locked (shared) meanwhile.
   */
  claimMany(batch: NewSession[]): Promise<Array<ClaimRefusal | undefined>> {
    return oncePerKey(batch, (s) => s.id, (rows) => this.#claimMany(rows));
  }

  async #claimMany(batch: NewSession[]): Promise<Array<ClaimRefusal | undefined>> {
    if (batch.length === 0) return [];
    // a driver alone (an idle network): the plain statement, 0.2–0.3 ms quicker than the arrays'
    if (batch.length === 1) return [await this.claim(batch[0])];
    const column = (f: (s: NewSession) => string) => batch.map(f);
    const rows = await this.sql<{ id: string }[]>`insert into sessions (id, cp_id, driver_id,
        request_id, status, price_per_kwh, authorized_at)
      select v.id, c.id, v.driver_id, v.request_id, 'authorized', v.price::numeric,
          v.at::timestamptz
        from unnest(${column((s) => s.id)}::text[], ${column((s) => s.cpId)}::text[],
          ${column((s) => s.driverId)}::text[], ${column((s) => s.requestId)}::text[],
          ${column((s) => String(s.pricePerKwh))}::text[],
          ${column((s) => new Date(s.authorizedAt).toISOString())}::text[])
          with ordinality as v(id, cp_id, driver_id, request_id, price, at, n)
        join cps c on c.id = v.cp_id
        order by v.n
        for share of c
      on conflict do nothing
      returning id`;
    const taken = new Set(rows.map((r) => r.id));
    const answers: Array<ClaimRefusal | undefined> = [];
    for (const s of batch) answers.push(taken.has(s.id) ? undefined : await this.claim(s));
    return answers;
  }

  /** The car was plugged in. */
  async started(id: string, at: Date): Promise<void> {
    await this.startedMany([{ id, at }]);
  }

  /** Cars plugged in, many in one statement. */
  async startedMany(rows: Array<{ id: string; at: Date }>): Promise<void> {
    if (rows.length === 0) return;
    await this.sql`update sessions as s set status = 'charging', started_at = v.at,
        updated_at = now()
      from (select unnest(${rows.map((r) => r.id)}::text[]) as id,
                   unnest(${rows.map((r) => r.at.toISOString())}::text[])::timestamptz as at) as v
      where s.id = v.id and s.status = 'authorized'`;
  }

  /** The latest figures of live supplies, many in one statement. */
  async progress(rows: Array<{ id: string; kw: number; kwh: number; eur: number }>) {
    if (rows.length === 0) return;
    await this.sql`update sessions as s set kw = v.kw, kwh = v.kwh, eur = v.eur, updated_at = now()
      from (select unnest(${rows.map((r) => r.id)}::text[]) as id,
                   unnest(${rows.map((r) => r.kw)}::float8[]) as kw,
                   unnest(${rows.map((r) => r.kwh)}::float8[]) as kwh,
                   unnest(${rows.map((r) => r.eur)}::float8[]) as eur) as v
      where s.id = v.id and s.status in ('authorized', 'charging')`;
  }

  /** Stores a supply's end if its session is still in one of `from`; the ticket when it was. */
  async end(t: Ticket, from: EndableStatus[]): Promise<Ticket | undefined> {
    return (await this.endMany([{ ticket: t, from }]))[0];
  }

  /** Stores many supplies' ends in one statement, each answered as {@link end} would. */
  endMany(
    ends: Array<{ ticket: Ticket; from: EndableStatus[] }>,
  ): Promise<Array<Ticket | undefined>> {
    return oncePerKey(ends, (e) => e.ticket.sessionId, (rows) => this.#endMany(rows));
  }

  async #endMany(ends: Array<{ ticket: Ticket; from: EndableStatus[] }>) {
    if (ends.length === 0) return [];
    const column = (f: (t: Ticket) => string | number) => ends.map((e) => String(f(e.ticket)));
    const rows = await this.sql<{ id: string }[]>`update sessions as s set status = 'ended',
        started_at = coalesce(s.started_at, v.start_at::timestamptz),
        ended_at = v.end_at::timestamptz, kwh = v.kwh::float8, eur = v.eur::float8,
        partial = v.partial::bool, end_reason = v.reason, updated_at = now()
      from unnest(${column((t) => t.sessionId)}::text[], ${column((t) => t.cpId)}::text[],
          ${column((t) => t.driverId)}::text[], ${column((t) => t.start)}::text[],
          ${column((t) => t.end)}::text[], ${column((t) => t.kwh)}::text[],
          ${column((t) => t.eur)}::text[], ${column((t) => String(t.partial))}::text[],
          ${column((t) => t.reason)}::text[], ${ends.map((e) => e.from.join(","))}::text[])
        as v(id, cp_id, driver_id, start_at, end_at, kwh, eur, partial, reason, from_status)
      where s.id = v.id and s.cp_id = v.cp_id and s.driver_id = v.driver_id
        and s.status = any(string_to_array(v.from_status, ','))
      returning s.id`;
    const stored = new Set(rows.map((r) => r.id));
    return ends.map((e) => stored.has(e.ticket.sessionId) ? e.ticket : undefined);
  }

  /** A reservation not used: released, no ticket. */
  async expire(id: string, reason: string): Promise<void> {
    await this.sql`update sessions set status = 'expired', ended_at = now(),
      end_reason = ${reason}, updated_at = now()
      where id = ${id} and status = 'authorized'`;
  }

  /** One session as the core needs it, or undefined. */
  async load(id: string): Promise<StoredSession | undefined> {
    const rows = await this.sql<RawSession[]>`select * from sessions where id = ${id}`;
    const r = rows[0];
    if (!r) return undefined;
    return {
      id: r.id,
      cpId: r.cp_id,
      driverId: r.driver_id,
      status: r.status,
      pricePerKwh: Number(r.price_per_kwh),
      authorizedAt: r.authorized_at.getTime(),
      ticket: ticketOfRow(r),
      ticketSent: r.ticket_sent_at !== null,
    };
  }

  /** Supplies in progress (authorized or charging), for an instance taking CPs over. */
  async live(driverId?: string): Promise<LiveSession[]> {
    const driver = driverId ?? null;
    const rows = await this.sql<RawSession[]>`select * from sessions
      where status in ('authorized', 'charging')
        and (${driver}::text is null or driver_id = ${driver})
      order by authorized_at`;
    return rows.map((r) => ({
      id: r.id,
      cpId: r.cp_id,
      driverId: r.driver_id,
      requestId: r.request_id,
      status: r.status as LiveSession["status"],
      pricePerKwh: Number(r.price_per_kwh),
      authorizedAt: r.authorized_at.getTime(),
      startedAt: r.started_at?.getTime(),
      kw: r.kw,
      kwh: r.kwh,
    }));
  }

  /** Tickets stored but never published, at the CPs in `cpIds`, whose claim (if any) lapsed. */
  async unsentTickets(cpIds: string[]): Promise<Ticket[]> {
    if (cpIds.length === 0) return [];
    const rows = await this.sql<RawSession[]>`select * from sessions
      where status = 'ended' and ticket_sent_at is null and cp_id = any(${cpIds}::text[])
        and (ticket_claimed_at is null
          or ticket_claimed_at < now() - make_interval(secs => ${CLAIM_LEASE_SECONDS}))
      order by ended_at limit 1000`;
    return rows.map(ticketOfRow).filter((t) => t !== undefined);
  }

  /** Claims a ticket for sending; false when it went out or another sender holds it. */
  async claimTicket(id: string, by: string): Promise<boolean> {
    return (await this.claimTickets([id], by))[0];
  }

  /** Claims tickets for sending, many in one statement: whether each is now `by`'s. */
  async claimTickets(ids: string[], by: string): Promise<boolean[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql<{ id: string }[]>`update sessions
      set ticket_claimed_by = ${by}, ticket_claimed_at = now()
      where id = any(${ids}::text[]) and status = 'ended' and ticket_sent_at is null
        and (ticket_claimed_at is null or ticket_claimed_by = ${by}
          or ticket_claimed_at < now() - make_interval(secs => ${CLAIM_LEASE_SECONDS}))
      returning id`;
    const claimed = new Set(rows.map((r) => r.id));
    return ids.map((id) => claimed.has(id));
  }

  /** The ticket was published. */
  async ticketSent(id: string): Promise<void> {
    await this.ticketsSent([id]);
  }

  /** Tickets published, many in one statement. */
  async ticketsSent(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.sql`update sessions set ticket_sent_at = now(), ticket_claimed_at = null
      where id = any(${ids}::text[])`;
  }

  /** The ticket could not be published: its claim is let go (it is tried again). */
  async releaseTicket(id: string, by: string): Promise<void> {
    await this.sql`update sessions set ticket_claimed_at = null
      where id = ${id} and ticket_claimed_by = ${by} and ticket_sent_at is null`;
  }

  /** Tickets a driver has not confirmed yet. */
  async unackedTickets(driverId: string): Promise<Ticket[]> {
    const rows = await this.sql<RawSession[]>`select * from sessions where driver_id = ${driverId}
      and status = 'ended' and ticket_acked_at is null order by ended_at limit 20`;
    return rows.map(ticketOfRow).filter((t) => t !== undefined);
  }

  /** The driver confirmed its ticket. */
  async ticketAcked(id: string, driverId: string): Promise<void> {
    await this.sql`update sessions set ticket_acked_at = coalesce(ticket_acked_at, now())
      where id = ${id} and driver_id = ${driverId}`;
  }
}

/** A row of `sessions` as postgres.js returns it. */
export interface RawSession {
  id: string;
  request_id: string;
  cp_id: string;
  driver_id: string;
  status: SessionView["status"];
  price_per_kwh: string;
  authorized_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  kw: number;
  kwh: number;
  eur: number;
  partial: boolean;
  end_reason: string | null;
  ticket_sent_at: Date | null;
}

/** The ticket of an ended session's row. */
function ticketOfRow(r: RawSession): Ticket | undefined {
  if (r.status !== "ended" || !r.ended_at) return undefined;
  return {
    sessionId: r.id,
    cpId: r.cp_id,
    driverId: r.driver_id,
    start: (r.started_at ?? r.authorized_at).toISOString(),
    end: r.ended_at.toISOString(),
    kwh: r.kwh,
    eur: r.eur,
    partial: r.partial,
    reason: r.end_reason ?? "ended",
  };
}

/** Maps a row to its view. */
export function toView(r: RawSession): SessionView {
  const view: SessionView = {
    id: r.id,
    requestId: r.request_id,
    cp: r.cp_id,
    driver: r.driver_id,
    status: r.status,
    pricePerKwh: Number(r.price_per_kwh),
    authorizedAt: r.authorized_at.toISOString(),
    kwh: r.kwh,
    eur: r.eur,
    partial: r.partial,
  };
  if (r.started_at) view.start = r.started_at.toISOString();
  if (r.ended_at) view.end = r.ended_at.toISOString();
  if (r.end_reason) view.endReason = r.end_reason;
  const t = ticketOfRow(r);
  if (t) {
    view.ticket = {
      sessionId: t.sessionId,
      cp: t.cpId,
      driver: t.driverId,
      start: t.start,
      end: t.end,
      kwh: t.kwh,
      eur: t.eur,
      partial: t.partial,
    };
  }
  return view;
}
