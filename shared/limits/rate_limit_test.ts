import assert from "node:assert/strict";
import { RateLimit, TokenBucket } from "./rate_limit.ts";

Deno.test("a token bucket allows a burst, then its rate", () => {
  let now = 0;
  const bucket = new TokenBucket({ burst: 3, perSecond: 2 }, now);
  assert.deepEqual([1, 2, 3, 4].map(() => bucket.take(now)), [true, true, true, false]);
  assert.equal(bucket.waitMs(now), 500);
  now = 499;
  assert.equal(bucket.take(now), false);
  now = 500;
  assert.equal(bucket.take(now), true);
  now = 100_000;
  assert.deepEqual(
    [1, 2, 3, 4].map(() => bucket.take(now)),
    [true, true, true, false],
    "full again, no more",
  );
});

Deno.test("a rate limit keeps one bucket per key and forgets full ones", () => {
  let now = 0;
  const limit = new RateLimit({ burst: 2, perSecond: 1, maxKeys: 3, clock: () => now });
  assert.equal(limit.take("a"), undefined);
  assert.equal(limit.take("a"), undefined);
  assert.match(limit.take("a")!, /^try again in 1 s$/);
  assert.equal(limit.take("b"), undefined, "another key has its own bucket");
  now = 10_000;
  for (const key of ["c", "d", "e", "f"]) limit.take(key);
  assert.ok(limit.size <= 3, `holds ${limit.size} keys`);
});

Deno.test("with more keys than maxKeys, new keys share the tightest treatment: refused when full", () => {
  const now = 0;
  const limit = new RateLimit({ burst: 1, perSecond: 0.001, maxKeys: 2, clock: () => now });
  assert.equal(limit.take("a"), undefined);
  assert.equal(limit.take("b"), undefined);
  // every bucket is in use (none full): a third key cannot be tracked, so it is refused
  assert.match(limit.take("c")!, /too many/);
});

Deno.test("bad options are refused", () => {
  assert.throws(() => new TokenBucket({ burst: 0, perSecond: 1 }), RangeError);
  assert.throws(() => new TokenBucket({ burst: 1, perSecond: -1 }), RangeError);
  assert.throws(() => new RateLimit({ burst: 1, perSecond: 1, maxKeys: 0 }), RangeError);
});
