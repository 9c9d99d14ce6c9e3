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
