import assert from "node:assert/strict";
import { EnrollError, parseEnrollInput } from "./enrollment.ts";

Deno.test("enrolment input is checked field by field", () => {
  assert.deepEqual(parseEnrollInput({ id: "CP1", location: "Lab", pricePerKwh: 0.35 }), {
    id: "CP1",
    location: "Lab",
    pricePerKwh: 0.35,
    secret: undefined,
  });
  for (
    const bad of [null, [], "x", { id: "" }, { id: "a b" }, { id: "CP1", pricePerKwh: "1" }, {
      id: "CP1",
      secret: "has space",
    }]
  ) {
    assert.throws(() => parseEnrollInput(bad), EnrollError, JSON.stringify(bad));
  }
});

Deno.test("a location with control characters is refused: others show it on their screens", () => {
  for (const location of ["A\x1b[2J", "line\nbreak", "evil\u202e"]) {
    assert.throws(
      () => parseEnrollInput({ id: "CP1", location, pricePerKwh: 0.3 }),
      /location must be text of at most 200 characters, without control characters/,
    );
  }
});
