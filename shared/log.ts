/**
 * Log lines on stderr (`time program level message`), or into a panel when one is drawn. A
 * message is one line whatever it holds: its control characters are escaped (foreign text, such
 * as a reason or a location read off the network, can neither forge a line nor drive a terminal).
 *
 * @module
 */
import { escapeControls } from "./foreign_text.ts";

/** How serious a log line is. */
export type Level = "debug" | "info" | "warn" | "error";

/** Where log lines go: stderr by default; a panel replaces it while it is drawn. */
export type Sink = (line: string, level: Level) => void;

let sink: Sink = (line) => console.error(line);
const debugOn = (() => {
  try {
    return Deno.env.get("EV_DEBUG") === "1";
  } catch {
    return false;
  }
})();

/** Sends every log line to `next` (e.g. a panel's message area); returns the previous sink. */
export function setLogSink(next: Sink): Sink {
  const previous = sink;
  sink = next;
  return previous;
}

/** A logger for one program or part. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * Creates a logger whose lines name `source`.
 *
 * @example
 * ```ts
 * const log = createLogger("central");
 * log.info("listening on 127.0.0.1:7000");
 * ```
 */
export function createLogger(source: string): Logger {
  const write = (level: Level, message: string) => {
    if (level === "debug" && !debugOn) return;
    sink(
      `${new Date().toISOString()} ${source} ${level.toUpperCase()} ${escapeControls(message)}`,
      level,
    );
  };
  return {
    debug: (m) => write("debug", m),
    info: (m) => write("info", m),
    warn: (m) => write("warn", m),
    error: (m) => write("error", m),
  };
}

/** The message of an error, without its stack. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
