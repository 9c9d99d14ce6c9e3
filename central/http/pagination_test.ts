import assert from "node:assert/strict";
import { CP_PAGES, pageAfter, pageLimit, pageResponse, SESSION_PAGES } from "./pagination.ts";

Deno.test("limit has a default and a maximum; anything else is a clear refusal", () => {
  const url = (q: string) => new URL(`http://x/api/sessions${q}`);
  assert.equal(pageLimit(url(""), SESSION_PAGES), 100);
  assert.equal(pageLimit(url("?limit=1000"), SESSION_PAGES), 1000);
  assert.equal(pageLimit(url(""), CP_PAGES), 10_000);
  for (const bad of ["0", "1001", "-1", "abc", "1e3", "10.5"]) {
    assert.equal(
      pageLimit(url(`?limit=${bad}`), SESSION_PAGES),
      `limit must be a whole number from 1 to 1000, got '${bad}'`,
    );
  }
});

Deno.test("pages after an id walk the whole list once", () => {
  const items = Array.from({ length: 7 }, (_, i) => ({ id: `CP${i}` }));
  const seen: string[] = [];
  let after: string | undefined;
  do {
    const page = pageAfter(items, after, 3);
    seen.push(...page.items.map((i) => i.id));
    after = page.next;
  } while (after);
  assert.deepEqual(seen, items.map((i) => i.id));
});

Deno.test("an answer is a JSON list; the next page is in Link and X-Next-Cursor", async () => {
  const url = new URL("http://x/api/sessions?driver=D1&limit=2");
  const last = pageResponse(url, SESSION_PAGES, [1, 2]);
  assert.equal(last.headers.get("link"), null);
  const more = pageResponse(url, SESSION_PAGES, [1, 2], "abc");
  assert.deepEqual(await more.json(), [1, 2]);
  assert.equal(
    more.headers.get("link"),
    '</api/sessions?driver=D1&limit=2&before=abc>; rel="next"',
  );
  assert.equal(more.headers.get("x-next-cursor"), "abc");
});
