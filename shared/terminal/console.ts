/**
 * A program's console: one panel redrawn in place on a terminal (with a command line that a
 * redraw never overwrites), or plain log lines when stdin/stdout is not a terminal. Either way,
 * line commands reach one handler.
 *
 * There is one drawer: everything asks for a redraw, and redraws are coalesced (at most one per
 * {@link REDRAW_MS}), so a panel is never drawn twice over itself and there is no stray prompt.
 *
 * @module
 */
import { setLogSink } from "../log.ts";
import { holdWhileStopping, onShutdown } from "../shutdown.ts";
import { CSI, fit, paint } from "./ansi.ts";
import { readLines } from "./lines.ts";

/** Fewest milliseconds between two redraws. */
export const REDRAW_MS = 100;
/** Log lines kept for the panel's messages area. */
const LOG_KEPT = 200;
const encoder = new TextEncoder();

/** Options of {@link startConsole}. */
export interface ConsoleOptions {
  /** Draw a panel when stdin and stdout are terminals. @default true */
  panel?: boolean;
  /** The panel's lines (without the command line), for a terminal of `columns`×`rows`. */
  render: (columns: number, rows: number, logTail: string[]) => string[];
  /** A line command was entered (QUIT is handled here: it stops the program). */
  onCommand: (line: string) => void | Promise<void>;
  /** The prompt's hint. @default "command" */
  hint?: string;
}

/** A running console. */
export interface ProgramConsole {
  /** Whether a panel is drawn (else log lines are printed). */
  readonly panel: boolean;
  /** Asks for a redraw (coalesced). */
  redraw(): void;
  /** Resolves with what asked the program to stop: QUIT, Ctrl+C, SIGINT or SIGTERM. */
  readonly stopped: Promise<string>;
  /** Restores the terminal and stops listening for signals. */
  close(): void;
}

/** Starts the console: a panel on a terminal, else log lines and line commands from stdin. */
export function startConsole(options: ConsoleOptions): ProgramConsole {
  let stop: (why: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  const unlisten = onShutdown(stop);
  // closing is the start of the stop: signals now must not cut it short
  const offSignals = () => {
    unlisten();
    holdWhileStopping();
  };
  const onCommand = (line: string) =>
    /^(q|quit)$/i.test(line.trim()) ? stop("QUIT") : options.onCommand(line);
  const interactive = (options.panel ?? true) && Deno.stdin.isTerminal() &&
    Deno.stdout.isTerminal();
  if (!interactive) {
    readLines(Deno.stdin.readable, onCommand);
    return { panel: false, stopped, redraw: () => {}, close: offSignals };
  }
  const panel = new Panel({ ...options, onCommand }, () => stop("Ctrl+C"));
  return {
    panel: true,
    stopped,
    redraw: () => panel.redraw(),
    close: () => {
      offSignals();
      panel.close();
    },
  };
}

class Panel {
  #typed = "";
  #logs: string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #last = 0;
  #closed = false;
  #restoreSink: ReturnType<typeof setLogSink>;
  #onResize = () => this.redraw();

  constructor(private readonly options: ConsoleOptions, private readonly interrupt: () => void) {
    // info lines are the panel's own news; warnings and errors get a few lines of their own
    this.#restoreSink = setLogSink((line, level) => {
      if (level === "info" || level === "debug") return;
      const colour = level === "error" ? "red" : level === "warn" ? "orange" : "dim";
      this.#logs.push(paint(colour, line.replace(/^\S+T(\d\d:\d\d:\d\d)\.\d+Z /, "$1 ")));
      if (this.#logs.length > LOG_KEPT) this.#logs.shift();
      this.redraw();
    });
    Deno.stdin.setRaw(true);
    this.#write(CSI.altScreen + CSI.hideCursor);
    try {
      Deno.addSignalListener("SIGWINCH", this.#onResize);
    } catch {
      // not on this platform
    }
    this.#readKeys();
    this.redraw();
  }

  redraw(): void {
    if (this.#closed || this.#timer !== undefined) return;
    const wait = Math.max(0, this.#last + REDRAW_MS - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#last = Date.now();
      this.#draw();
    }, wait);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    try {
      Deno.removeSignalListener("SIGWINCH", this.#onResize);
    } catch {
      // not on this platform
    }
    setLogSink(this.#restoreSink);
    this.#write(CSI.showCursor + CSI.mainScreen);
    try {
      Deno.stdin.setRaw(false);
    } catch {
      // stdin gone
    }
  }

  #draw(): void {
    const { columns, rows } = safeSize();
    const room = Math.max(1, rows - 2);
    const body = this.options.render(columns, room, this.#logs);
    const lines = body.slice(0, room).map((l) => fit(l, columns));
    while (lines.length < room) lines.push("");
    const hint = this.options.hint ?? "command";
    const prompt = `${paint("cyan", `${hint} >`)} ${this.#typed}`;
    let out = CSI.home;
    for (const line of lines) out += CSI.clearLine + line + "\r\n";
    out += CSI.clearLine + "\r\n" + CSI.clearLine + fit(prompt, columns) + CSI.showCursor;
    this.#write(out);
  }

  async #readKeys(): Promise<void> {
    const buf = new Uint8Array(1024);
    while (!this.#closed) {
      let n: number | null;
      try {
        n = await Deno.stdin.read(buf);
      } catch {
        return;
      }
      if (n === null) return;
      const text = new TextDecoder().decode(buf.subarray(0, n));
      // arrow keys and other escape sequences are dropped
      // deno-lint-ignore no-control-regex
      for (const ch of text.replace(/\x1b\[[0-9;]*[A-Za-z~]/g, "")) await this.#key(ch);
      this.redraw();
    }
  }

  async #key(ch: string): Promise<void> {
    if (ch === "\x03" || ch === "\x04") return this.interrupt();
    if (ch === "\r" || ch === "\n") {
      const line = this.#typed.trim();
      this.#typed = "";
      if (line) await this.options.onCommand(line);
    } else if (ch === "\x7f" || ch === "\b") this.#typed = this.#typed.slice(0, -1);
    else if (ch === "\x15") this.#typed = "";
    else if (ch >= " " && this.#typed.length < 200) this.#typed += ch;
  }

  #write(text: string): void {
    try {
      Deno.stdout.writeSync(encoder.encode(text));
    } catch {
      // terminal gone
    }
  }
}

function safeSize(): { columns: number; rows: number } {
  try {
    const { columns, rows } = Deno.consoleSize();
    return { columns: Math.max(40, columns), rows: Math.max(10, rows) };
  } catch {
    return { columns: 100, rows: 30 };
  }
}
