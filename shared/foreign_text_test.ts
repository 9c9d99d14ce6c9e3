import assert from "node:assert/strict";
import { escapeControls, hasControls, shown } from "./foreign_text.ts";

Deno.test("escapeControls writes every control character as an escape", () => {
  assert.equal(escapeControls("a\x1b[2Jb"), "a\\x1b[2Jb");
  assert.equal(escapeControls("line\nnext\r\t"), "line\\nnext\\r\\t");
  assert.equal(escapeControls("\x00\x7f\x9b"), "\\x00\\x7f\\x9b");
  assert.equal(escapeControls("evil\u202eright"), "evil\\u202eright");
  assert.equal(escapeControls("back\\slash"), "back\\slash", "a backslash alone is kept");
});

Deno.test("escapeControls keeps ordinary text, accents and emoji as they are", () => {
  for (const text of ["Alicante Centro", "Málaga — Paseo", "東京", "⚡ 7 kW", ""]) {
    assert.equal(escapeControls(text), text);
  }
});

Deno.test("hasControls tells text that holds a control character", () => {
  assert.equal(hasControls("plain"), false);
  assert.equal(hasControls("a\x1bb"), true);
  assert.equal(hasControls("a\u0085b"), true);
  assert.equal(hasControls("a\u2028b"), true);
  assert.equal(hasControls("a\u2066b"), true);
});

Deno.test("shown escapes and cuts foreign text to a length, and says it was cut", () => {
  assert.equal(shown("x".repeat(10), 4), "xxx…");
  assert.equal(shown("ok", 4), "ok");
  assert.equal(shown("\x1b", 40), "\\x1b");
  assert.equal(shown(undefined), "");
  assert.equal(shown(42 as unknown), "42");
  assert.equal(shown({ a: 1 } as unknown), "[object]");
});
