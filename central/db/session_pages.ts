/**
 * Sessions a page at a time, newest first, for `GET /api/sessions`: keyset pages (a cursor names
 * the last session of a page exactly, to the microsecond), so a page costs the same however deep
 * it is and a session authorized meanwhile never shifts the pages that follow.
 *
 * @module
 */
import type postgres from "postgres";
import { type RawSession, type SessionView, toView } from "./session_repo.ts";

/** One page: the sessions, and the cursor of the next page when there is one. */
export interface SessionPage {
  items: SessionView[];
  next?: string;
}

/** What {@link SessionPages.page} lists. */
export interface SessionPageQuery {
  cp?: string;
  driver?: string;
  limit: number;
  /** The cursor of the page to read (from the previous page's `next`); none: the first page. */
  before?: string;
}

/** A cursor that is not one of ours. */
export class BadCursorError extends Error {
  constructor(cursor: string) {
    super(`cursor '${cursor.slice(0, 40)}' is not a cursor of this list`);
    this.name = "BadCursorError";
  }
}

/**
 * Pages of the `sessions` table.
 *
 * @example
 * ```ts ignore
 * const pages = new SessionPages(db.sql);
 * const first = await pages.page({ driver: "D1", limit: 100 });
 * const second = first.next && await pages.page({ driver: "D1", limit: 100, before: first.next });
 * ```
 */
export class SessionPages {
  readonly #sql: postgres.Sql;

  /** Pages read through `sql`. */
  constructor(sql: postgres.Sql) {
    this.#sql = sql;
  }

  /**
   * A page of sessions, newest first.
   *
   * @throws {BadCursorError} (as a rejection) when `before` is not a cursor of this list.
   */
  async page(query: SessionPageQuery): Promise<SessionPage> {
    const { cp = null, driver = null, limit, before } = query;
    const [at, id] = before === undefined ? [null, null] : decodeCursor(before);
    const rows = await this.#sql<(RawSession & { cursor_at: string })[]>`
      select *, authorized_at::text as cursor_at from sessions
      where (${cp}::text is null or cp_id = ${cp})
        and (${driver}::text is null or driver_id = ${driver})
        and (${at}::timestamptz is null or (authorized_at, id) < (${at}::timestamptz, ${id}::text))
      order by authorized_at desc, id desc limit ${limit + 1}`;
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toView),
      ...(rows.length > limit ? { next: encodeCursor(last.cursor_at, last.id) } : {}),
    };
  }
}

function encodeCursor(at: string, id: string): string {
  return btoa(JSON.stringify([at, id])).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const [at, id] = JSON.parse(text);
    if (typeof at === "string" && typeof id === "string" && !Number.isNaN(Date.parse(at))) {
      return [at, id];
    }
  } catch {
    // not ours
  }
  throw new BadCursorError(cursor);
}
