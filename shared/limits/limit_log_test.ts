import assert from "node:assert/strict";
import { LimitLog } from "./limit_log.ts";
import type { Logger } from "../log.ts";

Deno.test("a flood of limit warnings gives one line a period, with how many more there were", () => {
  const lines: string[] = [];
  const log = { warn: (m: string) => void lines.push(m) } as unknown as Logger;
  let now = 0;
  const limits = new LimitLog(log, { everyMs: 1000, clock: () => now });
  for (let i = 0; i < 500; i++) limits.warn("per-address", `refused #${i}`);
  limits.warn("in-flight", "other kind");
  now = 1000;
  limits.warn("per-address", "refused later");
  assert.deepEqual(lines, [
    "refused #0",
    "other kind",
    "refused later (and 499 more like it since the last such line)",
  ]);
});
