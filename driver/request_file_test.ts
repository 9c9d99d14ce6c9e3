import assert from "node:assert/strict";
import { parseRequestFile } from "./request_file.ts";

Deno.test("a request file is one CP per line, comments and blanks skipped", () => {
  assert.deepEqual(parseRequestFile("CP1\n\n# lunch break\nCP2  # fast one\r\nCP1\n"), [
    "CP1",
    "CP2",
    "CP1",
  ]);
});
