/**
 * Central's line commands: `STOP <cp>`, `RESUME <cp>`, `STOP ALL`, `RESUME ALL` (case-insensitive),
 * the same operator code path as the web dashboard. (`QUIT` is every program's: the console's.)
 *
 * @module
 */
import type { Network } from "./network.ts";
import type { Operator } from "./operator.ts";
import { lineWord } from "../shared/aliases.ts";

/** What a line command acts on. */
export interface LineCommandDeps {
  operator: Operator;
  network: Network;
}

/** Runs one line command; unknown ones are answered with a message. */
export async function runLineCommand(line: string, deps: LineCommandDeps): Promise<void> {
  const [verb = "", target = "", ...extra] = line.trim().split(/\s+/);
  const by = { actor: "operator", source: "console" };
  const command = lineWord("central", verb); // the original `P <cp>` and `R <cp>` too
  if ((command === "STOP" || command === "RESUME") && target && extra.length === 0) {
    if (target.toUpperCase() === "ALL") {
      await deps.operator.orderAll(command, by);
      return;
    }
    const known = deps.network.list().find((cp) => cp.id.toUpperCase() === target.toUpperCase());
    if (!known) return deps.network.message(`unknown CP '${target}'`, "warn");
    await deps.operator.order(known.id, command, by);
    return;
  }
  deps.network.message(
    `unknown command '${line}': STOP <cp> | RESUME <cp> | STOP ALL | RESUME ALL | QUIT`,
    "warn",
  );
}
