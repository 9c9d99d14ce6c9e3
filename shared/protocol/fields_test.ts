import assert from "node:assert/strict";
import { Prng } from "./_prng.ts";
import { ProtocolError } from "./errors.ts";
import { joinFields, splitFields } from "./fields.ts";

Deno.test("joinFields escapes %, # and control characters, and only those", () => {
  assert.equal(
    joinFields("AUTH", ["1", "a#b", "100%", "x\ny\x02\x03\x1f", "é €"]),
    "AUTH#1#a%23b#100%25#x%0Ay%02%03%1F#é €",
  );
  assert.equal(joinFields("STOP", []), "STOP");
  assert.equal(joinFields("ACK", [""]), "ACK#");
  assert.equal(joinFields("ACK", ["", ""]), "ACK##");
});

Deno.test("joinFields refuses an opcode that is not capital letters", () => {
  for (const opcode of ["", "auth", "A#B", "A1", "ÄUTH"]) {
    assert.throws(() => joinFields(opcode, []), TypeError);
  }
});

Deno.test("splitFields reads back the opcode and the fields", () => {
  assert.deepEqual(splitFields("AUTH#1#a%23b#100%25#x%0Ay"), {
    opcode: "AUTH",
    fields: ["1", "a#b", "100%", "x\ny"],
  });
  assert.deepEqual(splitFields("STOP"), { opcode: "STOP", fields: [] });
  assert.deepEqual(splitFields(""), { opcode: "", fields: [] });
  assert.deepEqual(splitFields("ACK##"), { opcode: "ACK", fields: ["", ""] });
});

Deno.test("property: any fields survive a round trip, and DATA never holds STX or ETX", () => {
  const random = new Prng(10);
  for (let trial = 0; trial < 2000; trial++) {
    const fields = Array.from({ length: random.int(0, 8) }, () => random.text(30));
    const data = joinFields("ACK", fields);
    assert.ok(!data.includes("\x02") && !data.includes("\x03"));
    assert.deepEqual(splitFields(data), { opcode: "ACK", fields }, `trial ${trial}`);
  }
});

Deno.test("splitFields refuses bad escapes and raw control characters", () => {
  const cases = {
    "A#%": "bad escape '%'",
    "A#1%2": "bad escape '%2'",
    "A#%zz": "bad escape '%zz'",
    "A#%41": "bad escape '%41'", // 'A' is never escaped: one written form per text
    "A#%2f": "bad escape '%2f'", // lower case is not the written form either
    "A#%20": "bad escape '%20'",
    "A#%%": "bad escape '%%'",
    "A#a\nb": "raw control character in a field",
  };
  for (const [data, message] of Object.entries(cases)) {
    assert.throws(
      () => splitFields(data),
      (error) =>
        error instanceof ProtocolError && error.reason === "escape" && error.message === message,
      data,
    );
  }
});

Deno.test("property: splitFields on random text returns or throws ProtocolError, nothing else", () => {
  const random = new Prng(11);
  for (let trial = 0; trial < 5000; trial++) {
    const data = random.text(40);
    try {
      splitFields(data);
    } catch (error) {
      assert.ok(error instanceof ProtocolError, `${JSON.stringify(data)}: ${error}`);
    }
  }
});
