/**
 * The real programs, started as their `deno task` would start them (same entry point, same
 * scoped permissions, read from deno.json), with their output captured and their stdin open for
 * line commands. Every program a test starts is stopped by the test (`await using`, or `stop()`
 * in a `finally`).
 *
 * @module
 */

const ROOT = new URL("../../", import.meta.url);
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The `deno run …` arguments of a task in deno.json. */
async function taskArgs(task: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const command: string = config.tasks[task];
  if (!command?.startsWith("deno run ")) throw new Error(`task ${task} is not a 'deno run'`);
  return command.slice("deno ".length).split(/\s+/);
}

/** A running program. */
export class Program implements AsyncDisposable {
  /** Everything it printed (stdout and stderr), line by line. */
  readonly lines: string[] = [];
  /** Its stdout alone, line by line. */
  readonly stdout: string[] = [];
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #done: Promise<Deno.CommandStatus>;
  #exited: Deno.CommandStatus | undefined;

  constructor(readonly name: string, child: Deno.ChildProcess) {
    this.#child = child;
    this.#stdin = child.stdin.getWriter();
    const pump = async (stream: ReadableStream<Uint8Array>, stdout: boolean) => {
      let pending = "";
      for await (const chunk of stream) {
        pending += decoder.decode(chunk, { stream: true });
        let nl;
        while ((nl = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          this.lines.push(line);
          if (stdout) this.stdout.push(line);
          if (Deno.env.get("EV_TEST_ECHO")) console.error(`[${name}] ${line}`);
        }
      }
    };
    const pumps = Promise.all([pump(child.stdout, true), pump(child.stderr, false)]);
    this.#done = Promise.all([child.status, pumps]).then(([status]) => (this.#exited = status));
  }

  /** The process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** Its exit status once it has ended. */
  get exited(): Deno.CommandStatus | undefined {
    return this.#exited;
  }

  /** Resolves with its exit status when it ends. */
  get done(): Promise<Deno.CommandStatus> {
    return this.#done;
  }

  /** Types a line command. */
  async say(line: string): Promise<void> {
    await this.#stdin.write(encoder.encode(line + "\n"));
  }

  /** Waits until it printed a line matching `pattern`. */
  async waitForLine(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const line = this.lines.find((l) => pattern.test(l));
      if (line !== undefined) return line;
      if (this.#exited) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(
      `${this.name} printed no line matching ${pattern} (last: ${
        this.lines.slice(-5).join(" | ")
      })`,
    );
  }

  /** Ctrl+C (SIGINT); does not wait for it to end. */
  interrupt(): void {
    try {
      this.#child.kill("SIGINT");
    } catch {
      // gone
    }
  }

  /** Kills it at once (SIGKILL), as a crash would. */
  async kill(): Promise<void> {
    if (this.#exited) return;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // gone
    }
    await this.#done;
  }

  /** Stops it cleanly (SIGTERM; SIGKILL after 10 s). */
  async stop(): Promise<void> {
    if (this.#exited) return;
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // gone
    }
    const timer = setTimeout(() => this.kill(), 10_000);
    await this.#done;
    clearTimeout(timer);
    await this.#stdin.close().catch(() => {});
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
    await this.#stdin.close().catch(() => {});
  }
}

/** Where and how {@link start} runs a program. */
export interface StartOptions {
  /** Run this file (a bundle) instead of the task's module, with the task's permissions. */
  entry?: string;
  /** Working folder. @default the repository's root */
  cwd?: string;
  /** More flags for `deno run` (e.g. `--cpu-prof`), before the task's own. @default none */
  denoFlags?: string[];
}

/** Starts the program of a deno.json task with `args` and extra environment. */
export async function start(
  task: string,
  args: string[],
  env: Record<string, string> = {},
  name = task,
  options: StartOptions = {},
): Promise<Program> {
  const command = await taskArgs(task);
  if (options.entry) command.splice(-1, 1, options.entry);
  command.splice(1, 0, ...(options.denoFlags ?? []));
  const child = new Deno.Command(Deno.execPath(), {
    args: [...command, ...args],
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return new Program(name, child);
}

/** A TCP port free right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (${last})` : ""}`);
}
