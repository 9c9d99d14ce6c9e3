/**
 * Line commands from stdin, one per line, when stdin is not a terminal (or a panel is not drawn).
 * At the end of stdin the program goes on: only QUIT, Ctrl+C or SIGTERM stop it.
 *
 * @module
 */

/** Calls `onLine` for every line of `stream` (trimmed, empty lines skipped). */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void | Promise<void>,
): Promise<void> {
  let pending = "";
  try {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl).replace(/\r$/, "").trim();
        pending = pending.slice(nl + 1);
        if (line) await onLine(line);
      }
    }
  } catch {
    // stdin closed under us: nothing more to read
  }
  if (pending.trim()) await onLine(pending.trim());
}
