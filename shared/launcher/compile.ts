/**
 * `deno task compile`: single binaries of every program for Linux, Windows and macOS, in
 * `dist/<target>/`, with the dashboard's files and the database migrations embedded. Each binary
 * keeps its task's scoped permissions and reads `.env` at run time.
 *
 * `deno compile` downloads a small runtime (denort) per target from the Deno download host the
 * first time; where that host cannot be reached, this says so (and `deno task <program>` runs
 * the same code from source).
 *
 * @module
 */
import { loadConfig, type ProgramSpec, runMain } from "../config.ts";
import { taskArgs } from "./children.ts";

const PROGRAMS = ["central", "engine", "monitor", "driver", "kafka", "demo"];
const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "x86_64-pc-windows-msvc",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
];
const INCLUDE = ["central/web", "central/db/migrations"];

const SPEC = {
  usage: "deno task compile [--target TRIPLE] [--out DIR]",
  summary: "Builds a single binary of every program per target (default: Linux, Windows, macOS).",
  settings: {
    target: { help: `one target (default all: ${TARGETS.join(", ")})`, placeholder: "TRIPLE" },
    out: { default: "dist", help: "output folder", placeholder: "DIR" },
  },
} satisfies ProgramSpec<string>;

runMain(async () => {
  const cfg = loadConfig(SPEC);
  const targets = cfg.values.target ? [cfg.values.target] : TARGETS;
  let failed = 0;
  for (const target of targets) {
    for (const program of PROGRAMS) {
      const [, ...args] = await taskArgs(program); // drop "run"
      const entry = args.pop()!;
      const output = `${cfg.values.out}/${target}/ev-${program}${
        target.includes("windows") ? ".exe" : ""
      }`;
      const include = program === "central" ? INCLUDE.flatMap((i) => ["--include", i]) : [];
      console.log(`compiling ${output}`);
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["compile", ...args, ...include, "--target", target, "--output", output, entry],
        stdout: "inherit",
        stderr: "piped",
      }).output();
      if (out.success) continue;
      failed++;
      const text = new TextDecoder().decode(out.stderr);
      if (/denort|download|dl\.deno\.land|error sending request/i.test(text)) {
        console.error(
          `error: deno compile needs its runtime for ${target} from the Deno download host, which ` +
            "this machine cannot reach. Run this task where it can; meanwhile 'deno task " +
            program +
            "' runs the same program from source.",
        );
        return 1;
      }
      console.error(text.trim().split("\n").slice(-3).join("\n"));
    }
  }
  return failed === 0 ? 0 : 1;
});
