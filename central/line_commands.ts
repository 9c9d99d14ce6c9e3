/**
 * Central's line commands: `STOP <cp>`, `RESUME <cp>`, `STOP ALL`, `RESUME ALL` (case-insensitive),
 * the same operator code path as the web dashboard. (`QUIT` is every program's: the console's.)
 *
 * @module
 */
import type { Operations } from "./operations.ts";
import { errorMessage } from "../shared/log.ts";
import { lineWord } from "../shared/aliases.ts";

/** What a line command acts on. */
export interface LineCommandDeps {
  operations: Operations;
  /** Tells the operator something (the panel's messages). */
  message(text: string): void;
}

/** Runs one line command; unknown ones are answered with a message. */
export async function runLineCommand(line: string, deps: LineCommandDeps): Promise<void> {
  const [verb = "", target = "", ...extra] = line.trim().split(/\s+/);
  const by = { actor: "operator", source: "console" };
  const command = lineWord("central", verb); // the original `P <cp>` and `R <cp>` too
  try {
    if ((command === "STOP" || command === "RESUME") && target && extra.length === 0) {
      if (target.toUpperCase() === "ALL") {
        await deps.operations.orderAll(command, by);
        return;
      }
      const id = deps.operations.find(target);
      if (!id) return deps.message(`unknown CP '${target}'`);
      await deps.operations.order(id, command, by);
      return;
    }
  } catch (e) {
    return deps.message(`${command} ${target}: ${errorMessage(e)}`);
  }
  deps.message(
    `unknown command '${line}': STOP <cp> | RESUME <cp> | STOP ALL | RESUME ALL | QUIT`,
  );
}
