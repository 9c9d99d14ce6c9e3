/**
 * Child programs for launchers (the demo): started as their deno.json task would start them,
 * output to a log file, stopped in reverse order on the way out.
 *
 * @module
 */

const ROOT = new URL("../../", import.meta.url);

/** A started child. */
export interface Child {
  name: string;
  process: Deno.ChildProcess;
  log: string;
}

/** The `deno run …` arguments of a deno.json task. */
export async function taskArgs(task: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const command: string | undefined = config.tasks?.[task];
  if (!command?.startsWith("deno run ")) {
    throw new Error(`deno.json has no 'deno run' task '${task}'`);
  }
  return command.slice("deno ".length).split(/\s+/);
}

/** Starts children and stops them all. */
export class Children {
  readonly all: Child[] = [];

  constructor(private readonly logDir: string) {}

  /** Starts the program of `task` with `args`; its output goes to `<logDir>/<name>.log`. */
  async start(
    name: string,
    task: string,
    args: string[],
    env: Record<string, string> = {},
  ): Promise<Child> {
    await Deno.mkdir(this.logDir, { recursive: true });
    const log = `${this.logDir}/${name}.log`;
    const file = await Deno.open(log, { write: true, create: true, truncate: true });
    const process = new Deno.Command(Deno.execPath(), {
      args: [...await taskArgs(task), ...args],
      cwd: ROOT,
      env: { ...env, EV_NO_PANEL: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // both streams into one file (written through at once: a launcher reads it while it grows)
    const pipe = async (s: ReadableStream<Uint8Array>) => {
      for await (const chunk of s) {
        for (let done = 0; done < chunk.length;) done += file.writeSync(chunk.subarray(done));
      }
    };
    Promise.all([pipe(process.stdout), pipe(process.stderr)]).catch(() => {}).finally(() =>
      file.close()
    );
    const child = { name, process, log };
    this.all.push(child);
    return child;
  }

  /** Kills every child still running at once (SIGKILL): a second Ctrl+C. */
  killAll(): void {
    for (const child of this.all) {
      try {
        child.process.kill("SIGKILL");
      } catch {
        // gone
      }
    }
  }

  /** Stops every child, newest first (SIGTERM, then SIGKILL after 10 s). */
  async stopAll(): Promise<void> {
    for (const child of [...this.all].reverse()) {
      try {
        child.process.kill("SIGTERM");
      } catch {
        continue;
      }
      const timer = setTimeout(() => {
        try {
          child.process.kill("SIGKILL");
        } catch {
          // gone
        }
      }, 10_000);
      await child.process.status;
      clearTimeout(timer);
    }
  }
}

/** Waits until a log file has a line matching `pattern`, or the child ends, or time runs out. */
export async function waitForLog(
  child: Child,
  pattern: RegExp,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  child.process.status.then(() => (ended = true));
  while (Date.now() < deadline && !ended) {
    const text = await Deno.readTextFile(child.log).catch(() => "");
    if (pattern.test(text)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return pattern.test(await Deno.readTextFile(child.log).catch(() => ""));
}

/**
 * Why a child did not come up, in its own words: the last `error:` line it printed (how every
 * program reports a failure), else its last line, else that it printed nothing.
 */
export async function failureOf(child: Child): Promise<string> {
  const lines = (await Deno.readTextFile(child.log).catch(() => "")).split("\n")
    .map((l) => l.trim()).filter((l) => l !== "");
  const error = lines.findLast((l) => l.startsWith("error:"));
  if (error) return error.slice("error:".length).trim();
  return lines.at(-1) ?? "it printed nothing";
}
