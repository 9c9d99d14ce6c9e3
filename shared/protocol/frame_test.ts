import assert from "node:assert/strict";
import { Prng } from "./_prng.ts";
import { joinFields } from "./fields.ts";
import {
  type Decoded,
  encodeFrame,
  ETX,
  FrameDecoder,
  type FrameError,
  MAX_DATA_BYTES,
  STX,
} from "./frame.ts";

const ok = (data: string): Decoded => ({ ok: true, data });
const bad = (error: FrameError): Decoded => ({ ok: false, error });
const ascii = (text: string) => new TextEncoder().encode(text);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  parts.reduce((at, part) => (out.set(part, at), at + part.length), 0);
  return out;
}

/** A frame built by hand (an oracle independent of encodeFrame), with any DATA bytes. */
function rawFrame(data: Uint8Array, lrc = data.reduce((x, b) => x ^ b, ETX)): Uint8Array {
  return concat(Uint8Array.of(STX), data, Uint8Array.of(ETX, lrc));
}

/** Feeds `chunks` then ends the stream, checking the memory bound after every chunk. */
function decodeAll(chunks: Iterable<Uint8Array>, decoder = new FrameDecoder()): Decoded[] {
  const out: Decoded[] = [];
  for (const chunk of chunks) {
    out.push(...decoder.push(chunk));
    assert.ok(decoder.buffered <= MAX_DATA_BYTES);
  }
  return [...out, ...decoder.end()];
}

function randomData(random: Prng): string {
  const fields = Array.from({ length: random.int(0, 6) }, () => random.text(random.int(0, 60)));
  return joinFields(random.pick(["AUTH", "ACK", "X"]), fields);
}

Deno.test("encodeFrame writes STX, the UTF-8 DATA, ETX and the XOR of DATA and ETX", () => {
  const data = ascii("STOP#1");
  assert.deepEqual(encodeFrame("STOP#1"), rawFrame(data));
  assert.deepEqual(encodeFrame(""), Uint8Array.of(STX, ETX, ETX));
  assert.deepEqual(encodeFrame("€").subarray(1, 4), Uint8Array.of(0xe2, 0x82, 0xac));
});

Deno.test("encodeFrame refuses STX, ETX and DATA over the limit", () => {
  assert.throws(() => encodeFrame("a\x02"), RangeError);
  assert.throws(() => encodeFrame("\x03"), RangeError);
  assert.equal(encodeFrame("é".repeat(MAX_DATA_BYTES / 2)).length, MAX_DATA_BYTES + 3);
  assert.throws(() => encodeFrame("é".repeat(MAX_DATA_BYTES / 2) + "a"), /4097 bytes/);
});

Deno.test("several frames in one chunk, and one frame byte by byte", () => {
  const texts = ["AUTH#1#CP1#s#Alicante#0.30", "", "ACK#1#available", "ü€😀", "\uFEFFBOM kept"];
  const stream = concat(...texts.map(encodeFrame));
  assert.deepEqual(decodeAll([stream]), texts.map(ok));
  assert.deepEqual(decodeAll(Array.from(stream, (b) => Uint8Array.of(b))), texts.map(ok));
});

Deno.test("a frame of exactly MAX_DATA_BYTES is accepted", () => {
  const text = "x".repeat(MAX_DATA_BYTES);
  assert.deepEqual(decodeAll([encodeFrame(text)]), [ok(text)]);
});

Deno.test("property: random frames split at random points decode identically", () => {
  const random = new Prng(1);
  for (let trial = 0; trial < 300; trial++) {
    const texts = Array.from({ length: random.int(1, 12) }, () => randomData(random));
    if (trial % 50 === 0) texts.push("y".repeat(random.int(MAX_DATA_BYTES - 10, MAX_DATA_BYTES)));
    const chunks = random.split(concat(...texts.map(encodeFrame)), random.pick([1, 7, 64, 5000]));
    assert.deepEqual(decodeAll(chunks), texts.map(ok), `trial ${trial}`);
  }
});

Deno.test("garbage: one result per contiguous run, told when the next STX arrives", () => {
  const frame = encodeFrame("CHECK#1");
  const stream = concat(ascii("hello"), Uint8Array.of(ETX, 0, ETX), frame, ascii("x"), frame);
  assert.deepEqual(decodeAll([stream]), [
    bad("garbage"),
    ok("CHECK#1"),
    bad("garbage"),
    ok("CHECK#1"),
  ]);
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.push(ascii("noise ")), []);
  assert.deepEqual(decoder.push(ascii("more noise")), []);
  assert.deepEqual(decoder.push(frame), [bad("garbage"), ok("CHECK#1")]);
  assert.deepEqual(decoder.push(ascii("trailing")), []);
  assert.deepEqual(decoder.end(), [bad("garbage")]);
  assert.deepEqual(decoder.end(), []);
});

Deno.test("an STX inside a frame reports it truncated and starts the next frame", () => {
  const stream = concat(Uint8Array.of(STX), ascii("AUTH#1#CP"), encodeFrame("STOP#2"));
  assert.deepEqual(decodeAll([stream]), [bad("truncated"), ok("STOP#2")]);
  assert.deepEqual(decodeAll([Uint8Array.of(STX, 0x41)]), [bad("truncated")]);
});

Deno.test("a wrong LRC is a checksum error; a wrong LRC that is an STX starts a new frame", () => {
  const good = encodeFrame("HEALTH#3#OK");
  const corrupted = good.slice();
  corrupted[corrupted.length - 1] ^= 0x40;
  assert.deepEqual(decodeAll([concat(corrupted, good)]), [bad("checksum"), ok("HEALTH#3#OK")]);
  const withoutLrc = good.subarray(0, good.length - 1);
  assert.deepEqual(decodeAll([concat(withoutLrc, good)]), [bad("checksum"), ok("HEALTH#3#OK")]);
});

Deno.test("oversize is told once, as soon as the limit is passed, then the frame is skipped", () => {
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.push(concat(Uint8Array.of(STX), ascii("z".repeat(MAX_DATA_BYTES)))), []);
  assert.deepEqual(decoder.push(ascii("z")), [bad("oversize")]);
  assert.deepEqual(decoder.push(ascii("z".repeat(100))), []);
  assert.deepEqual(decoder.push(concat(Uint8Array.of(ETX, 0x55), encodeFrame("ACK#1"))), [
    ok("ACK#1"),
  ]);
  const endedBySTX = concat(
    rawFrame(ascii("z".repeat(MAX_DATA_BYTES + 1))).subarray(0, -2),
    encodeFrame("ACK#2"),
  );
  assert.deepEqual(decodeAll([endedBySTX]), [bad("oversize"), ok("ACK#2")]);
});

Deno.test("1 MB after an STX grows no buffer and the next frame still decodes", () => {
  const megabyte = new Uint8Array(1 << 20).fill(0x61);
  const stream = concat(
    Uint8Array.of(STX),
    megabyte,
    Uint8Array.of(ETX, 0x55),
    encodeFrame("ACK#9"),
  );
  assert.deepEqual(decodeAll([stream]), [bad("oversize"), ok("ACK#9")]);
  assert.deepEqual(decodeAll(new Prng(2).split(stream, 65536)), [bad("oversize"), ok("ACK#9")]);
});

Deno.test("DATA that is not UTF-8 is an encoding error", () => {
  for (const data of [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
    assert.deepEqual(decodeAll([rawFrame(Uint8Array.from(data)), encodeFrame("A")]), [
      bad("encoding"),
      ok("A"),
    ]);
  }
});

Deno.test("end() tells a partial frame as truncated", () => {
  const frame = encodeFrame("RESUME#4");
  for (let cut = 1; cut < frame.length; cut++) {
    assert.deepEqual(decodeAll([frame.subarray(0, cut)]), [bad("truncated")], `cut at ${cut}`);
  }
});

for (const damage of ["flip", "drop"] as const) {
  Deno.test(`property: one ${damage}ped byte loses only its own frame`, () => {
    const random = new Prng(damage === "flip" ? 3 : 4);
    let collisions = 0;
    const trials = 2000;
    for (let trial = 0; trial < trials; trial++) {
      const texts = Array.from({ length: random.int(2, 8) }, () => randomData(random));
      const frames = texts.map(encodeFrame);
      const hit = random.int(0, frames.length - 1);
      const frame = frames[hit].slice();
      const at = random.int(0, frame.length - 1);
      if (damage === "flip") frame[at] ^= random.int(1, 255);
      frames[hit] = damage === "flip"
        ? frame
        : concat(frame.subarray(0, at), frame.subarray(at + 1));
      const out = decodeAll(random.split(concat(...frames), random.pick([1, 5, 100, 10000])));
      const accepted = out.flatMap((d) => d.ok ? [d.data] : []);
      const expected = texts.filter((_, i) => i !== hit);
      if (accepted.some((text) => !texts.includes(text))) {
        collisions++; // the LRC of a shifted frame matched by chance (1 in 256)
        continue;
      }
      assert.deepEqual(accepted, expected, `trial ${trial}: byte ${at} of frame ${hit}`);
      assert.ok(out.some((d) => !d.ok), `trial ${trial}: the damage was noticed`);
    }
    assert.ok(collisions < trials / 100, `${collisions} LRC collisions`);
  });
}
