import assert from "node:assert/strict";
import { describe } from "./output.ts";

Deno.test("a driver's lines show foreign text escaped", () => {
  const lines = [
    describe({ type: "denied", cp: "CP1", reason: "busy\x1b[2J\nforged line" }),
    describe({ type: "error", cp: "CP\x1b1", message: "\x07bell" }),
    describe({
      type: "ticket",
      cp: "CP1",
      sessionId: "s",
      kwh: 1,
      eur: 0.3,
      start: "2026-11-22T10:00:00Z",
      end: "2026-11-22T10:30:00Z",
      partial: true,
      reason: "fault\x1b]0;title\x07",
    }),
  ];
  for (const line of lines) {
    // deno-lint-ignore no-control-regex -- what must never reach a terminal
    assert.doesNotMatch(line, /[\x00-\x1f]/, line);
  }
  assert.match(lines[0], /busy\\x1b\[2J\\nforged line/);
});

Deno.test("a driver's lines survive figures that are not numbers", () => {
  const e = { type: "progress", cp: "CP1", sessionId: "s", kw: "x", kwh: null, eur: {} };
  assert.equal(describe(e as never), "⚡ CP1: ? kW  ? kWh  ? €");
});
