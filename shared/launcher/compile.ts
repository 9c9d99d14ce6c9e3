/**
 * `deno task compile`: a single binary of every program that makes sense as one (Central, Engine,
 * Monitor, Driver, the fleet simulator) for Linux, Windows and macOS, in `dist/<target>/`, with
 * their files embedded (the dashboard, the migrations), the scoped permissions of their tasks,
 * and `.env` read at run time.
 *
 * A binary is delivered only when it is one: a binary of this machine's platform must print its
 * program's own `--help`, one of another platform must be an executable of that platform. Else it
 * is removed and the task ends with one line saying why.
 *
 * `deno compile` builds a binary from a small runtime (`denort-<target>.zip`) that it downloads
 * from dl.deno.land into Deno's cache (`<DENO_DIR>/dl/release/v<version>/`) the first time.
 * Where that host cannot be reached, the offline route is to put the archive there by hand; the
 * refusal names the exact path.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { ConfigError, loadConfig, type ProgramSpec, runMain } from "../config.ts";
import {
  BUILD_PROGRAMS,
  type BuildProgram,
  checkRuns,
  programTask,
  ROOT,
  writeEntry,
} from "./build.ts";

const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-pc-windows-msvc",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
];

const SPEC = {
  usage: "deno task compile [--target TRIPLE] [--program NAME] [--out DIR]",
  summary: "Builds a single binary of every program per target (default: Linux, Windows, " +
    "macOS), each checked to be its program.",
  settings: {
    target: { help: `one target (default all: ${TARGETS.join(", ")})`, placeholder: "TRIPLE" },
    program: {
      help: `one program (default all: ${BUILD_PROGRAMS.map((p) => p.name).join(", ")})`,
      placeholder: "NAME",
    },
    out: { default: "dist", help: "output folder", placeholder: "DIR" },
  },
} satisfies ProgramSpec<string>;

/** A binary that was not delivered: its message is the one line the task ends with. */
class Refusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Refusal";
  }
}

runMain(async () => {
  const cfg = loadConfig(SPEC);
  const v = cfg.values;
  if (v.target && !TARGETS.includes(v.target)) {
    throw new ConfigError(`--target must be one of ${TARGETS.join(", ")}, got '${v.target}'`);
  }
  const programs = BUILD_PROGRAMS.filter((p) => !v.program || p.name === v.program);
  if (programs.length === 0) {
    throw new ConfigError(
      `--program must be one of ${BUILD_PROGRAMS.map((p) => p.name).join(", ")}`,
    );
  }
  const targets = v.target ? [v.target] : TARGETS;
  const entries = await Deno.makeTempDir({ dir: ROOT, prefix: ".compile-" });
  const made: string[] = [];
  try {
    for (const target of targets) {
      for (const program of programs) {
        const file = await compileOne(program, target, v.out!, entries, made);
        console.log(`${file}: ${program.name}, checked`);
      }
    }
    return 0;
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    console.error(`error: ${e.message}`);
    return 1;
  } finally {
    await Deno.remove(entries, { recursive: true }).catch(() => {});
    // folders made for binaries that were not delivered go too
    for (const dir of made.reverse()) await Deno.remove(dir).catch(() => {});
  }
});

/** Builds and checks one binary; its path, or a {@link Refusal} (and no file left). */
async function compileOne(
  program: BuildProgram,
  target: string,
  out: string,
  entries: string,
  made: string[],
): Promise<string> {
  const { main, permissions } = await programTask(program.name);
  const entry = await writeEntry(program, main, entries);
  const file = join(out, target, `ev-${program.name}${target.includes("windows") ? ".exe" : ""}`);
  for (const dir of [out, dirname(file)]) {
    if (!(await exists(dir))) {
      await Deno.mkdir(dir, { recursive: true });
      made.push(dir);
    }
  }
  const built = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      "--quiet",
      "--exclude-unused-npm",
      ...permissions,
      ...Object.values(program.workers ?? {}).flatMap((w) => ["--include", join(ROOT, w)]),
      "--target",
      target,
      "--output",
      file,
      entry,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const runtime = await runtimeArchive(target);
  const denort = Deno.env.get("DENORT_BIN");
  if (!built.success) {
    await Deno.remove(file).catch(() => {});
    const text = new TextDecoder().decode(built.stderr);
    if (
      !denort && /dl\.deno\.land|download|error sending request|dns error|base binary/i.test(text)
    ) {
      throw new Refusal(
        `cannot build binaries here: deno compile needs its runtime denort-${target}.zip ` +
          `(Deno ${Deno.version.deno}), which it downloads from dl.deno.land, and this machine ` +
          `cannot reach it. Offline route: put that archive (from ${runtime.url}) at ` +
          `${runtime.path}, then run this again; meanwhile 'deno task bundle' builds programs ` +
          "that run with deno.",
      );
    }
    const lines = text.split("\n").map((l) => l.trim())
      .filter((l) => l && !/^(Stack backtrace:|\d+: <unknown>|Caused by:)$/.test(l));
    const why = [lines[0]?.replace(/^error: /, ""), lines.length > 1 ? lines.at(-1) : undefined]
      .filter(Boolean).join(": ");
    throw new Refusal(
      `deno compile of ${program.name} for ${target} failed: ${why}` +
        (denort ? ` (DENORT_BIN=${denort}: is it denort-${target}?)` : ""),
    );
  }
  const problem = target === Deno.build.target
    ? await checkRuns(program, { command: file })
    : await formatProblem(file, target);
  if (problem) {
    await Deno.remove(file).catch(() => {});
    const why = denort
      ? ` (DENORT_BIN=${denort} is not the runtime denort-${target}: unset it and put ` +
        `denort-${target}.zip from ${runtime.url} at ${runtime.path})`
      : "";
    throw new Refusal(`${file} was not delivered (removed): ${problem}${why}`);
  }
  return file;
}

/** Where deno compile looks for its runtime archive of `target`, and where it comes from. */
async function runtimeArchive(target: string): Promise<{ path: string; url: string }> {
  const suffix = `release/v${Deno.version.deno}/denort-${target}.zip`;
  let denoDir = "<DENO_DIR>";
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json"],
      stdout: "piped",
      stderr: "null",
    }).output();
    denoDir = JSON.parse(new TextDecoder().decode(out.stdout)).denoDir ?? denoDir;
  } catch {
    // keep the placeholder
  }
  return { path: join(denoDir, "dl", ...suffix.split("/")), url: `https://dl.deno.land/${suffix}` };
}

/** Why `file` is not an executable of `target` (its format and processor), or undefined. */
async function formatProblem(file: string, target: string): Promise<string | undefined> {
  const head = new Uint8Array(20);
  const f = await Deno.open(file);
  try {
    await f.read(head);
  } finally {
    f.close();
  }
  const view = new DataView(head.buffer);
  const arm = target.startsWith("aarch64");
  if (target.includes("linux")) {
    const elf = head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
    if (!elf) return `it is not a Linux executable (ELF)`;
    return view.getUint16(18, true) === (arm ? 0xb7 : 0x3e) ? undefined : `it is not for ${target}`;
  }
  if (target.includes("windows")) {
    return head[0] === 0x4d && head[1] === 0x5a ? undefined : "it is not a Windows executable";
  }
  if (view.getUint32(0, true) !== 0xfeedfacf) return "it is not a macOS executable (Mach-O)";
  return view.getUint32(4, true) === (arm ? 0x0100000c : 0x01000007)
    ? undefined
    : `it is not for ${target}`;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}
