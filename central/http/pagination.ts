/**
 * Pages of a list endpoint: `?limit=` (a default and a maximum per endpoint) and a cursor for the
 * next page. The answer stays a JSON list (BRIEF §6); a next page, when there is one, is named in
 * a `Link: <…>; rel="next"` header and in `X-Next-Cursor`.
 *
 * @module
 */
import { json } from "./respond.ts";

/** The page sizes of one endpoint. */
export interface PageRule {
  /** Items on a page when `limit` is not given. */
  defaultLimit: number;
  /** The largest `limit` accepted (more is a 400). */
  maxLimit: number;
  /** The query parameter that carries the cursor of the next page. */
  cursorParam: string;
}

/**
 * `GET /api/cps`: a whole realistic network on the default page (scripts read the whole list
 * from a plain `GET /api/cps`); a network larger than 10,000 CPs is read page by page.
 */
export const CP_PAGES: PageRule = { defaultLimit: 10_000, maxLimit: 10_000, cursorParam: "after" };

/** `GET /api/sessions`: the newest 100 by default, at most 1,000 a page. */
export const SESSION_PAGES: PageRule = {
  defaultLimit: 100,
  maxLimit: 1_000,
  cursorParam: "before",
};

/**
 * The page size asked for in `url`, or why it is refused.
 *
 * @example
 * ```ts
 * import { pageLimit, SESSION_PAGES } from "./pagination.ts";
 * console.log(pageLimit(new URL("http://x/api/sessions?limit=20"), SESSION_PAGES)); // 20
 * ```
 */
export function pageLimit(url: URL, rule: PageRule): number | string {
  const given = url.searchParams.get("limit");
  if (given === null || given === "") return rule.defaultLimit;
  const limit = Number(given);
  if (!/^\d+$/.test(given) || limit < 1 || limit > rule.maxLimit) {
    return `limit must be a whole number from 1 to ${rule.maxLimit}, got '${given.slice(0, 20)}'`;
  }
  return limit;
}

/** A page as an answer: the items as a JSON list, and where the next page is when there is one. */
export function pageResponse(url: URL, rule: PageRule, items: unknown[], next?: string): Response {
  if (next === undefined) return json(items);
  const nextUrl = new URL(url);
  nextUrl.searchParams.set(rule.cursorParam, next);
  return json(items, 200, {
    link: `<${nextUrl.pathname}${nextUrl.search}>; rel="next"`,
    "x-next-cursor": next,
  });
}

/**
 * The page of `items` (sorted by id) after the id `after`: at most `limit`, and the cursor of the
 * next page when more follow.
 *
 * @example
 * ```ts
 * import { pageAfter } from "./pagination.ts";
 * console.log(pageAfter([{ id: "a" }, { id: "b" }, { id: "c" }], "a", 1)); // { items: [{ id: "b" }], next: "b" }
 * ```
 */
export function pageAfter<T extends { id: string }>(
  items: readonly T[],
  after: string | undefined,
  limit: number,
): { items: T[]; next?: string } {
  const rest = after === undefined ? items : items.filter((i) => i.id.localeCompare(after) > 0);
  const page = rest.slice(0, limit);
  return rest.length > limit ? { items: page, next: page[page.length - 1].id } : { items: page };
}
