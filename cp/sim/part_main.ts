/**
 * The simulator in its part mode (a child process of `deno task sim`): reads what to run from
 * the first line of stdin, runs a {@link FleetPart}, and reports on stdout, one JSON object a line
 * (`fig` every second, `sent` progress records in batches, `started`). It unplugs every car when told
 * (`{"t":"unplug"}`), and stops when told (`{"t":"stop"}`) or when stdin ends.
 *
 * @module
 */
import { FleetPart } from "./part.ts";
import type { PartSpec } from "./parts.ts";
import { setLogSink } from "../../shared/log.ts";

/** Runs one part until told to stop; returns the exit code. */
export async function runPart(): Promise<number> {
  // as the simulator's own: warnings and errors only (a fleet's news would flood the screen)
  setLogSink((line, level) => level !== "info" && level !== "debug" && console.error(line));
  // A Ctrl+C in a terminal reaches the whole process group, its parts too: the simulator stops
  // them itself (through stdin, or by its end). Ended by it, they took their CPs down before the
  // simulator stopped counting, and it reported every one disconnected by nobody's doing.
  Deno.addSignalListener("SIGINT", () => {});
  const encoder = new TextEncoder();
  let writes = Promise.resolve();
  const emit = (message: unknown) => {
    const bytes = encoder.encode(JSON.stringify(message) + "\n");
    writes = writes.then(async () => {
      for (let done = 0; done < bytes.length;) {
        done += await Deno.stdout.write(bytes.subarray(done));
      }
    }).catch(() => {});
  };
  const lines = readLines(Deno.stdin.readable);
  const first = await lines.next();
  if (first.done) return 1;
  const spec: PartSpec = JSON.parse(first.value).spec;
  let batch: [string, number, number, number][] = [];
  const part = new FleetPart({
    ...spec,
    onProgressSent: (s, kwh, at, acked) => void batch.push([s, kwh, at, acked]),
  });
  const flush = () => {
    if (batch.length) emit({ t: "sent", s: batch });
    batch = [];
  };
  const flusher = setInterval(flush, 200);
  const reporter = setInterval(() => emit({ t: "fig", figures: part.figures() }), 1_000);
  const starting = part.start().then(() => emit({ t: "started" }), async (e) => {
    console.error(`sim: a part could not start: ${e instanceof Error ? e.message : e}`);
    await part.stop();
    await writes;
    Deno.exit(1);
  });
  for await (const line of lines) {
    const m = JSON.parse(line);
    if (m.t === "fail") part.fail(m.id, m.seconds);
    else if (m.t === "unplug") part.unplugAll();
    else if (m.t === "stop") break;
  }
  clearInterval(flusher);
  clearInterval(reporter);
  await part.stop();
  await starting.catch(() => {});
  flush();
  emit({ t: "fig", figures: part.figures() });
  await writes;
  return 0;
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let nl;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.trim()) yield line;
    }
  }
}
