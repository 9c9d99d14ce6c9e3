import assert from "node:assert/strict";
import { renderMonitor } from "./panel.ts";
import type { Monitor } from "./monitor.ts";

Deno.test("the Monitor's panel shows Central's reasons escaped", () => {
  const monitor = {
    options: { id: "CP1", engine: { hostname: "h", port: 1 }, central: { hostname: "c", port: 2 } },
    engineReachable: true,
    engineHealth: "OK",
    central: "refused",
    refusal: "wrong secret\x1b[2J\x1b[1;1Hall fine",
    cpState: "",
    notes: ["10:00:00 Central says \x1b[31mred"],
    lag: { describe: () => "timers 900 ms late" },
  } as unknown as Monitor;
  const text = renderMonitor(monitor, 80, []).join("\n");
  // deno-lint-ignore no-control-regex -- no raw escape may reach the terminal
  assert.doesNotMatch(text, /\x1b/);
  assert.match(text, /refused: wrong secret\\x1b\[2J/);
  assert.match(text, /Central says \\x1b\[31mred/);
  assert.match(text, /this Monitor is late: timers 900 ms late/);
});
