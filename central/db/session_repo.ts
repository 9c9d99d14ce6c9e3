/**
 * The `sessions` table: one row per authorized supply, its ticket once ended.
 *
 * @module
 */
import type postgres from "postgres";

/** A session as the API shows it. */
export interface SessionView {
  id: string;
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
  /** @default 200 */
  limit?: number;
}

/** Reads and writes the `sessions` table. */
export class SessionRepo {
  constructor(private readonly sql: postgres.Sql) {}

  /** Sessions, newest first. */
  async list(filter: SessionFilter = {}): Promise<SessionView[]> {
    const { cp, driver, limit = 200 } = filter;
    const rows = await this.sql<RawSession[]>`select * from sessions
      where (${cp ?? null}::text is null or cp_id = ${cp ?? null})
        and (${driver ?? null}::text is null or driver_id = ${driver ?? null})
      order by authorized_at desc limit ${limit}`;
    return rows.map(toView);
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
