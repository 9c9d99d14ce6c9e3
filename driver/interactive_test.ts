import assert from "node:assert/strict";
import { renderDriver } from "./interactive.ts";
import type { CpView } from "../shared/cp_view.ts";

const good: CpView = {
  id: "CP1",
  location: "Alicante",
  pricePerKwh: 0.3,
  state: "available",
  updatedAt: "2026-11-22T10:00:00.000Z",
};

Deno.test("the driver's panel survives a forged network view and shows its text escaped", () => {
  const forged = [
    good,
    1,
    null,
    "CP9",
    { id: 7, state: "constructor", pricePerKwh: "free", location: { x: 1 } },
    { ...good, id: "CP2", location: "\x1b[2J\x1b[31mfake" + "x".repeat(100_000) },
  ] as unknown as CpView[];
  const lines = renderDriver({ o: { id: "D1" }, centralReachable: true, cps: forged }, [], 80);
  const text = lines.join("\n");
  assert.match(text, /CP1 .* 0\.30 €\/kWh {2}Alicante/);
  assert.match(text, /CP2 .*\\x1b\[2J\\x1b\[31mfake/);
  // deno-lint-ignore no-control-regex -- no raw escape may reach the terminal
  assert.doesNotMatch(text, /\x1b/);
  assert.ok(lines.every((l) => l.length < 400), "a huge location is cut");
});
