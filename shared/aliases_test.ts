import assert from "node:assert/strict";
import { lineWord } from "./aliases.ts";

Deno.test("the original line command words mean ours; other words are upper-cased", () => {
  assert.equal(lineWord("engine", "INIT"), "PLUG");
  assert.equal(lineWord("engine", "end"), "UNPLUG");
  assert.equal(lineWord("engine", "k"), "FAIL");
  assert.equal(lineWord("engine", "f"), "F");
  assert.equal(lineWord("central", "p"), "STOP");
  assert.equal(lineWord("central", "R"), "RESUME");
  assert.equal(lineWord("central", "stop"), "STOP");
  assert.equal(lineWord("central", "INIT"), "INIT");
});
