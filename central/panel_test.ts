import assert from "node:assert/strict";
import { tileLines } from "./panel.ts";

Deno.test("a CP's tile shows its location escaped and cut to the tile", () => {
  const lines = tileLines({
    id: "CP1",
    location: "\x1b[2J\x1b]0;pwned\x07Alicante",
    pricePerKwh: 0.3,
    state: "charging",
    driverId: "D1",
    kw: 7,
    kwh: 1,
    eur: 0.3,
    updatedAt: "2026-11-22T10:00:00.000Z",
  });
  // deno-lint-ignore no-control-regex -- no raw control character may reach the terminal
  for (const line of lines) assert.doesNotMatch(line, /[\x00-\x1f]/);
  assert.match(lines[1], /^ \\x1b\[2J/);
});
