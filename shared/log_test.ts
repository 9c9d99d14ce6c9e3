import assert from "node:assert/strict";
import { createLogger, setLogSink } from "./log.ts";

Deno.test("a log line shows foreign text with its control characters escaped: one line each", () => {
  const lines: string[] = [];
  const previous = setLogSink((line) => lines.push(line));
  try {
    createLogger("central").warn(
      "registration of CP1 refused: \x1b[2Jforged\n2026 central INFO ok",
    );
  } finally {
    setLogSink(previous);
  }
  assert.equal(lines.length, 1);
  assert.match(lines[0], / central WARN registration of CP1 refused: \\x1b\[2Jforged\\n2026/);
  // deno-lint-ignore no-control-regex -- what a log line must never hold
  assert.doesNotMatch(lines[0], /[\x1b\n]/);
});
