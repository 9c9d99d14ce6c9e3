/**
 * The `sessions` table: one row per authorized supply, its ticket once ended.
 *
 * @module
 */
import type postgres from "postgres";

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

/** The final figures of a supply. */
export interface TicketFigures {
  start: Date;
  end: Date;
  kwh: number;
  eur: number;
  partial: boolean;
  reason: string;
}

/** A supply could not be recorded: the CP or the driver is busy, or the request is a duplicate. */
export class SessionConflict extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "SessionConflict";
  }
}

/** Filters of {@link SessionRepo.list}. */
export interface SessionFilter {
  cp?: string;
  driver?: string;
  /** At most this many (default: all). */
  limit?: number;
}

/** Reads and writes the `sessions` table. */
export class SessionRepo {
  constructor(private readonly sql: postgres.Sql) {}

  /** Sessions, newest first. */
  async list(filter: SessionFilter = {}): Promise<SessionView[]> {
    const { cp, driver, limit = null } = filter;
    const rows = await this.sql<RawSession[]>`select * from sessions
      where (${cp ?? null}::text is null or cp_id = ${cp ?? null})
        and (${driver ?? null}::text is null or driver_id = ${driver ?? null})
      order by authorized_at desc limit ${limit}`;
    return rows.map(toView);
  }

  /** Records a supply just authorized; throws {@link SessionConflict} when the CP or driver is busy. */
  async authorize(
    s: { id: string; cpId: string; driverId: string; requestId: string; pricePerKwh: number },
  ) {
    try {
      await this.sql`insert into sessions (id, cp_id, driver_id, request_id, status, price_per_kwh)
        values (${s.id}, ${s.cpId}, ${s.driverId}, ${s.requestId}, 'authorized', ${s.pricePerKwh})`;
    } catch (e) {
      const constraint = (e as { constraint_name?: string }).constraint_name ?? "";
      if (constraint.includes("per_cp")) throw new SessionConflict("CP busy");
      if (constraint.includes("per_driver")) {
        throw new SessionConflict("driver already has a supply in progress");
      }
      if (constraint.includes("request_id")) throw new SessionConflict("duplicate request");
      throw e;
    }
  }

  /** The car was plugged in. */
  async started(id: string, at: Date): Promise<void> {
    await this.sql`update sessions set status = 'charging', started_at = ${at}, updated_at = now()
      where id = ${id} and status = 'authorized'`;
  }

  /** Records the latest figures of a live supply. */
  async progress(id: string, f: { kw: number; kwh: number; eur: number }): Promise<void> {
    await this
      .sql`update sessions set kw = ${f.kw}, kwh = ${f.kwh}, eur = ${f.eur}, updated_at = now()
      where id = ${id} and status in ('authorized', 'charging')`;
  }

  /**
   * Ends a live supply of that CP and driver with its final figures; returns the ended session
   * the first time, and undefined when it had ended already (a redelivered end changes nothing).
   */
  async end(
    id: string,
    cpId: string,
    driverId: string,
    f: TicketFigures,
  ): Promise<SessionView | undefined> {
    // an expired reservation whose car was plugged in late still gets its ticket
    const rows = await this.sql<RawSession[]>`update sessions set status = 'ended',
      started_at = coalesce(started_at, ${f.start}), ended_at = ${f.end}, kwh = ${f.kwh},
      eur = ${f.eur}, partial = ${f.partial}, end_reason = ${f.reason}, updated_at = now()
      where id = ${id} and cp_id = ${cpId} and driver_id = ${driverId}
        and (status in ('authorized', 'charging') or (status = 'expired' and ${f.kwh > 0}::boolean))
      returning *`;
    return rows[0] && toView(rows[0]);
  }

  /** A reservation not used in time: released, no ticket. */
  async expire(id: string): Promise<boolean> {
    const rows = await this.sql`update sessions set status = 'expired', ended_at = now(),
      end_reason = 'reservation expired', updated_at = now()
      where id = ${id} and status = 'authorized' returning id`;
    return rows.length > 0;
  }

  /** Supplies in progress (authorized or charging), for a restarted Central. */
  async live(): Promise<SessionView[]> {
    const rows = await this.sql<RawSession[]>`select * from sessions
      where status in ('authorized', 'charging') order by authorized_at`;
    return rows.map(toView);
  }

  /** Ended sessions whose ticket was not published yet (the outbox). */
  async unsentTickets(): Promise<SessionView[]> {
    const rows = await this.sql<RawSession[]>`select * from sessions
      where status = 'ended' and ticket_sent_at is null order by ended_at`;
    return rows.map(toView);
  }

  /** One ended session whose ticket was not published yet, if it is one. */
  async unsentTicket(id: string): Promise<SessionView | undefined> {
    const rows = await this.sql<RawSession[]>`select * from sessions
      where id = ${id} and status = 'ended' and ticket_sent_at is null`;
    return rows[0] && toView(rows[0]);
  }

  /** The ticket was published. */
  async ticketSent(id: string): Promise<void> {
    await this.sql`update sessions set ticket_sent_at = now() where id = ${id}`;
  }

  /** Tickets a driver has not confirmed yet. */
  async unackedTickets(driverId: string): Promise<SessionView[]> {
    const rows = await this.sql<RawSession[]>`select * from sessions where driver_id = ${driverId}
      and status = 'ended' and ticket_acked_at is null order by ended_at limit 20`;
    return rows.map(toView);
  }

  /** The driver confirmed its ticket. */
  async ticketAcked(id: string, driverId: string): Promise<void> {
    await this.sql`update sessions set ticket_acked_at = coalesce(ticket_acked_at, now())
      where id = ${id} and driver_id = ${driverId}`;
  }

  /** One session, or undefined. */
  async get(id: string): Promise<SessionView | undefined> {
    const rows = await this.sql<RawSession[]>`select * from sessions where id = ${id}`;
    return rows[0] && toView(rows[0]);
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
  kwh: number;
  eur: number;
  partial: boolean;
  end_reason: string | null;
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
  if (r.status === "ended" && r.ended_at) {
    view.ticket = {
      sessionId: r.id,
      cp: r.cp_id,
      driver: r.driver_id,
      start: (r.started_at ?? r.authorized_at).toISOString(),
      end: r.ended_at.toISOString(),
      kwh: r.kwh,
      eur: r.eur,
      partial: r.partial,
    };
  }
  return view;
}
