import assert from "node:assert/strict";
import { AuthLimit } from "./auth_limit.ts";

Deno.test("AUTH attempts are limited per link", () => {
  const limit = new AuthLimit({ perLink: { burst: 2, perSecond: 0 } });
  const link = {};
  assert.equal(limit.attempt(link, "192.0.2.1:4000"), undefined);
  assert.equal(limit.attempt(link, "192.0.2.1:4000"), undefined);
  assert.match(limit.attempt(link, "192.0.2.1:4000")!, /too many AUTH attempts on this connection/);
  assert.equal(limit.attempt({}, "192.0.2.1:4001"), undefined, "another link of the address");
});

Deno.test("AUTH attempts are limited per address, whatever the port", () => {
  const limit = new AuthLimit({ perAddress: { burst: 3, perSecond: 0 } });
  for (let port = 1; port <= 3; port++) {
    assert.equal(limit.attempt({}, `192.0.2.1:${port}`), undefined);
  }
  assert.match(limit.attempt({}, "192.0.2.1:4")!, /too many AUTH attempts from 192\.0\.2\.1/);
  assert.equal(limit.attempt({}, "192.0.2.2:1"), undefined, "another address");
  assert.equal(limit.attempt({}, "::1:5"), undefined, "IPv6");
});

Deno.test("failed AUTH attempts from an address hold it back harder", () => {
  let now = 0;
  const limit = new AuthLimit({ failuresPerAddress: { burst: 2, perSecond: 1 }, clock: () => now });
  limit.failed("192.0.2.1:1");
  assert.equal(limit.attempt({}, "192.0.2.1:2"), undefined);
  limit.failed("192.0.2.1:2");
  assert.match(
    limit.attempt({}, "192.0.2.1:3")!,
    /too many failed AUTH attempts from 192\.0\.2\.1: try again in 1 s/,
  );
  assert.equal(limit.attempt({}, "192.0.2.9:3"), undefined);
  now = 1000;
  assert.equal(limit.attempt({}, "192.0.2.1:4"), undefined, "after a second, one more try");
});
