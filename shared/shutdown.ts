/**
 * Ctrl+C and SIGTERM, for a clean stop.
 *
 * @module
 */

/** Calls `stop` with the signal's name on SIGINT or SIGTERM; returns a function that un-listens. */
export function onShutdown(stop: (signal: string) => void): () => void {
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const handlers = signals.map((s) => [s, () => stop(s)] as const);
  for (const [s, h] of handlers) Deno.addSignalListener(s, h);
  return () => {
    for (const [s, h] of handlers) {
      try {
        Deno.removeSignalListener(s, h);
      } catch {
        // already gone
      }
    }
  };
}

/** A Ctrl+C this soon after the stop began is the same one, delivered twice. */
export const SAME_CTRL_C_MS = 1_000;

let holding = false;

/**
 * From now on (the program has begun to stop) a signal no longer ends it half-way through its
 * stop. A program stopping for Ctrl+C is often signalled again at once — the terminal signals
 * the whole process group, a launcher or a supervisor follows with SIGTERM — and the default
 * action, ending it there, cut its stop short (the embedded database not closed, the last
 * records not sent: the demo's Central never said "stopped"). A SIGTERM is ignored (every stop
 * is bounded); a Ctrl+C more than {@link SAME_CTRL_C_MS} after the stop began ends it at once
 * (exit 130), for whoever will not wait.
 */
export function holdWhileStopping(): void {
  if (holding) return;
  holding = true;
  const since = performance.now();
  const onInterrupt = () => {
    if (performance.now() - since < SAME_CTRL_C_MS) return;
    console.error("stopped at once (Ctrl+C again)");
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", () => {});
}
