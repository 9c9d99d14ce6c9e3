import assert from "node:assert/strict";
import { Prng } from "./_prng.ts";
import { ProtocolError, type ProtocolErrorReason } from "./errors.ts";
import {
  decodeMessage,
  encodeMessage,
  engineHealth,
  type Message,
  nackFor,
  type Opcode,
  OPCODES,
} from "./messages.ts";

/** One message of each kind and its wire form. */
const SAMPLES: { [T in Opcode]: [Extract<Message, { type: T }>, string] } = {
  AUTH: [
    {
      type: "AUTH",
      seq: 1,
      cpId: "ALC-3_b.1",
      secret: "s3#cr%t",
      location: "C/ Mayor 1, Alicante",
      pricePerKwh: 0.3,
    },
    "AUTH#1#ALC-3_b.1#s3%23cr%25t#C/ Mayor 1, Alicante#0.3",
  ],
  HEALTH: [{ type: "HEALTH", seq: 2, health: "KO" }, "HEALTH#2#KO"],
  STOP: [{ type: "STOP", seq: 3 }, "STOP#3"],
  RESUME: [{ type: "RESUME", seq: 4 }, "RESUME#4"],
  CHECK: [{ type: "CHECK", seq: 5 }, "CHECK#5"],
  CENTRAL: [{ type: "CENTRAL", seq: 6, central: "DOWN" }, "CENTRAL#6#DOWN"],
  IDENT: [{ type: "IDENT", seq: 8, cpId: "MAD-01" }, "IDENT#8#MAD-01"],
  ACK: [{ type: "ACK", seq: 7, fields: ["available", "a#b", ""] }, "ACK#7#available#a%23b#"],
  NACK: [{ type: "NACK", seq: 0, reason: "bad checksum (LRC)" }, "NACK#0#bad checksum (LRC)"],
};

function assertRefused(data: string, reason: ProtocolErrorReason, message: string | RegExp) {
  assert.throws(() => decodeMessage(data), (error) => {
    assert.ok(error instanceof ProtocolError, `${data}: ${error}`);
    assert.equal(error.reason, reason, data);
    if (typeof message === "string") assert.equal(error.message, message, data);
    else assert.match(error.message, message, data);
    return true;
  });
}

Deno.test("every opcode of the table encodes and decodes its sample", () => {
  assert.deepEqual(Object.keys(SAMPLES).sort(), Object.keys(OPCODES).sort());
  for (const [message, data] of Object.values(SAMPLES)) {
    assert.equal(encodeMessage(message), data);
    assert.deepEqual(decodeMessage(data), message);
  }
});

Deno.test("unknown opcodes are refused, including names of Object's own properties", () => {
  assertRefused("FOO#1", "opcode", "unknown opcode 'FOO'");
  assertRefused("", "opcode", "unknown opcode ''");
  assertRefused("auth#1", "opcode", "unknown opcode 'auth'");
  assertRefused("A\x1bB#1", "opcode", "unknown opcode 'A\\u001bB'");
  for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
    assertRefused(`${name}#1`, "opcode", `unknown opcode '${name}'`);
  }
});

Deno.test("a seq is a positive integer (0 only in a NACK)", () => {
  assertRefused("STOP", "seq", "STOP needs a seq");
  for (const seq of ["x", "", "0", "-1", "01", "1.5", "1e3", " 1", "+1", "1234567890123456"]) {
    assertRefused(`STOP#${seq}`, "seq", `bad seq '${seq}'`);
  }
  assertRefused("ACK#0", "seq", "bad seq '0'");
  assert.equal(decodeMessage("STOP#123456789012345").seq, 123456789012345);
  assert.equal(decodeMessage("NACK#0#why").seq, 0);
});

Deno.test("each message needs its number of fields", () => {
  assertRefused("AUTH#1#CP1#s", "arity", "AUTH needs 4 or 5 fields, got 2");
  assertRefused("AUTH#1#CP1#s#l#1#OK#extra", "arity", "AUTH needs 4 or 5 fields, got 6");
  assertRefused("AUTH#1#CP1#s#l#1#MAYBE", "field", "health must be OK or KO, got 'MAYBE'");
  assertRefused("STOP#1#now", "arity", "STOP needs 0 fields, got 1");
  assertRefused("HEALTH#1", "arity", "HEALTH needs 1 field, got 0");
  assertRefused("NACK#1#a#b", "arity", "NACK needs 1 field, got 2");
  assert.deepEqual(decodeMessage("ACK#1"), { type: "ACK", seq: 1, fields: [] });
});

Deno.test("HEALTH and CENTRAL take only their words", () => {
  assertRefused("HEALTH#1#ok", "field", "health must be OK or KO, got 'ok'");
  assertRefused("CENTRAL#1#MAYBE", "field", "central must be UP or DOWN, got 'MAYBE'");
  assert.equal(engineHealth({ type: "ACK", seq: 1, fields: ["OK"] }), "OK");
  assert.equal(engineHealth({ type: "ACK", seq: 1, fields: ["KO"] }), "KO");
  assert.equal(engineHealth({ type: "ACK", seq: 1, fields: [] }), "KO");
  assert.equal(engineHealth({ type: "NACK", seq: 1, reason: "OK" }), "KO");
});

Deno.test("AUTH checks the CP id, secret, location and price", () => {
  const auth = (cpId: string, secret: string, location: string, price: string) =>
    ["AUTH", 1, cpId, secret, location, price].join("#");
  for (const cpId of ["", "a b", "CP%231", "ñ", "x".repeat(65)]) {
    assertRefused(auth(cpId, "s", "", "1"), "field", /^cpId must be 1-64 characters/);
  }
  assertRefused(auth("CP1", "", "", "1"), "field", "secret must be 1-256 characters, got 0");
  const long = "hunter2".repeat(37); // the message gives the length, never the secret
  assertRefused(auth("CP1", long, "", "1"), "field", "secret must be 1-256 characters, got 259");
  const far = "é".repeat(201);
  assertRefused(auth("CP1", "s", far, "1"), "field", "location must be 0-200 characters, got 201");
  for (const forged of ["%1B[2JAlicante", "A%0Ab", "x\u202e"]) {
    assertRefused(
      auth("CP1", "s", forged, "1"),
      "field",
      "location must hold no control characters",
    );
  }
  const bad = ["-1", "100", "1e2", "abc", "0x10", "Infinity", "NaN", "1e400", " 1", "1.", ".5"];
  for (const price of bad) {
    const message = `price must be a decimal number >= 0 and < 100, got '${price}'`;
    assertRefused(auth("CP1", "s", "", price), "field", message);
  }
  const prices = { "0": 0, "99.99": 99.99, "0.30": 0.3, "5e-7": 5e-7, "007": 7, "": undefined };
  for (const [text, value] of Object.entries(prices)) {
    const message = decodeMessage(auth("x".repeat(64), "s".repeat(256), "é".repeat(200), text));
    assert.equal(message.type === "AUTH" && message.pricePerKwh, value, text);
  }
});

Deno.test("encodeMessage refuses what the peer would refuse", () => {
  const [auth] = SAMPLES.AUTH;
  const refusals: [Message, ProtocolErrorReason][] = [
    [{ ...auth, cpId: "bad id" }, "field"],
    [{ ...auth, pricePerKwh: NaN }, "field"],
    [{ ...auth, pricePerKwh: -1 }, "field"],
    [{ ...auth, seq: 0 }, "seq"],
    [{ ...auth, seq: 1.5 }, "seq"],
    [{ type: "HEALTH", seq: 1, health: "ok" as "OK" }, "field"],
  ];
  for (const [message, reason] of refusals) {
    assert.throws(
      () => encodeMessage(message),
      (e) => e instanceof ProtocolError && e.reason === reason,
    );
  }
  const tiny = { ...auth, pricePerKwh: 1e-7 };
  assert.deepEqual(decodeMessage(encodeMessage(tiny)), tiny);
});

Deno.test("nackFor keeps the seq when there is one, and never answers a reply", () => {
  assert.deepEqual(nackFor("AUTH#7#x", "why"), { type: "NACK", seq: 7, reason: "why" });
  assert.deepEqual(nackFor("FOO#12", "why"), { type: "NACK", seq: 12, reason: "why" });
  assert.deepEqual(nackFor("%zz#3#%", "bad escape '%'"), {
    type: "NACK",
    seq: 3,
    reason: "bad escape '%'",
  });
  for (const data of ["", "FOO", "STOP#x", "STOP#-3", "STOP#1.5", "STOP#1%", "STOP#01"]) {
    assert.equal(nackFor(data, "why")?.seq, 0, data);
  }
  assert.equal(nackFor("ACK#1#%zz", "bad escape"), undefined);
  assert.equal(nackFor("NACK", "NACK needs a seq"), undefined);
});

Deno.test("property: decodeMessage throws nothing but ProtocolError, whatever the DATA", () => {
  const random = new Prng(20);
  const opcodes = [...Object.keys(OPCODES), "FOO", "", "__proto__"];
  const valid = Object.values(SAMPLES).map(([, data]) => data);
  for (let trial = 0; trial < 20000; trial++) {
    let data: string;
    if (trial % 2) {
      const fields = Array.from(
        { length: random.int(0, 6) },
        () => random.pick(["1", "0", "OK", random.text(8)]),
      );
      data = [random.pick(opcodes), ...fields].join("#");
    } else {
      const chars = [...random.pick(valid)];
      chars[random.int(0, chars.length - 1)] = random.text(2);
      data = chars.join("");
    }
    try {
      const message = decodeMessage(data);
      assert.deepEqual(decodeMessage(encodeMessage(message)), message, data);
    } catch (error) {
      assert.ok(error instanceof ProtocolError, `${JSON.stringify(data)}: ${error}`);
    }
  }
});

Deno.test("AUTH may carry the Engine's health; an empty price keeps Central's", () => {
  const m = decodeMessage("AUTH#9#CP1#s#Lab##KO");
  assert.deepEqual(m, {
    type: "AUTH",
    seq: 9,
    cpId: "CP1",
    secret: "s",
    location: "Lab",
    pricePerKwh: undefined,
    health: "KO",
  });
  assert.equal(encodeMessage(m), "AUTH#9#CP1#s#Lab##KO");
});
