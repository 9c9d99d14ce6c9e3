/**
 * The fleet's parts, seen from the simulator's main process: a part runs in this process, or in
 * a child process of its own (the same program, started again in its part mode), so that a fleet
 * of thousands of CPs uses every core and stays within each process's open-files limit (an Engine
 * and a Monitor hold four sockets). A child is told what to run on its stdin and reports on its
 * stdout, one JSON object a line; it stops when told, or when its stdin ends (its parent died).
 *
 * @module
 */
import { FleetPart, type PartFigures, type PartOptions } from "./part.ts";

/** What a part runs, as data (it travels to a child process). */
export type PartSpec = Omit<PartOptions, "onProgressSent">;

/** The environment variable that starts the simulator in its part mode. */
export const PART_MODE_ENV = "EV_SIM_PART";

/** The permissions a child part runs with (the `sim` task's, without running programs). */
export const PART_PERMISSIONS = [
  "--allow-net",
  "--allow-env",
  "--allow-read",
  "--allow-sys=hostname,osRelease",
];

/** A part, wherever it runs. */
export interface PartHandle {
  /** The process it runs in (undefined: this one). */
  readonly pid: number | undefined;
  /** Its latest figures. */
  readonly figures: PartFigures | undefined;
  /** Resolves once every CP of the part has started. */
  readonly started: Promise<void>;
  /** Fails CP `id`'s Engine for `seconds`. */
  fail(id: string, seconds: number): void;
  /** Unplugs every car that charges now. */
  unplugAll(): void;
  /** Stops it (and its process). */
  stop(): Promise<void>;
}

/** Told of every progress record a part sent. */
export type OnProgressSent = (
  sessionId: string,
  kwh: number,
  atMs: number,
  ackedMs: number,
) => void;

/** A part in this process. */
export function localPart(spec: PartSpec, onProgressSent: OnProgressSent): PartHandle {
  const part = new FleetPart({ ...spec, onProgressSent });
  const started = part.start();
  return {
    pid: undefined,
    get figures() {
      return part.figures();
    },
    started,
    fail: (id, seconds) => void part.fail(id, seconds),
    unplugAll: () => void part.unplugAll(),
    stop: () => part.stop(),
  };
}

/** Options of {@link childPart}. */
export interface ChildOptions {
  /** Write a CPU profile of the child here (`--cpu-prof`). */
  cpuProfDir?: string;
}

/** The command that starts this program again (a source file or a bundle under `deno run`). */
function selfCommand(cpuProfDir?: string): { command: string; args: string[] } {
  const main = Deno.mainModule;
  const prof = cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`] : [];
  if (!/^file:.*\.(ts|js|mjs)$/.test(main)) return { command: Deno.execPath(), args: [] };
  const exec = Deno.execPath();
  const granted = Deno.permissions.querySync({ name: "run", command: exec }).state === "granted";
  return {
    command: granted ? exec : "deno", // the task allows `deno` (on PATH), not a path
    args: ["run", ...PART_PERMISSIONS, ...prof, new URL(main).pathname],
  };
}

/** A part in a child process. */
export function childPart(
  spec: PartSpec,
  onProgressSent: OnProgressSent,
  options: ChildOptions = {},
): PartHandle {
  const { command, args } = selfCommand(options.cpuProfDir);
  const child = new Deno.Command(command, {
    args,
    env: { [PART_MODE_ENV]: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const stdin = child.stdin.getWriter();
  const encoder = new TextEncoder();
  let writes = Promise.resolve();
  const tell = (message: unknown) => {
    writes = writes.then(() => stdin.write(encoder.encode(JSON.stringify(message) + "\n")))
      .catch(() => {});
  };
  tell({ t: "spec", spec });
  let figures: PartFigures | undefined;
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const reading = (async () => {
    let pending = "";
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) {
      pending += decoder.decode(chunk, { stream: true });
      let nl;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        let m;
        try {
          m = JSON.parse(line);
        } catch {
          continue;
        }
        if (m.t === "fig") figures = m.figures;
        else if (m.t === "sent") {
          for (const [s, k, at, acked] of m.s) onProgressSent(s, k, at, acked);
        } else if (m.t === "started") markStarted();
      }
    }
    markStarted(); // it ended: nothing more will start
  })();
  return {
    pid: child.pid,
    get figures() {
      return figures;
    },
    started,
    fail: (id, seconds) => tell({ t: "fail", id, seconds }),
    unplugAll: () => tell({ t: "unplug" }),
    stop: async () => {
      tell({ t: "stop" });
      await writes;
      const kill = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // gone
        }
      }, 30_000);
      await child.status;
      clearTimeout(kill);
      await reading;
      await stdin.close().catch(() => {});
    },
  };
}
