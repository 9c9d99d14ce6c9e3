/**
 * `deno task bundle`: one JavaScript file per program (`deno bundle --platform deno`), in
 * `dist/bundle/`, with its files embedded (the dashboard, the migrations). Each is run once
 * (`--help`) and delivered only when it runs its program. Run one with its task's permissions:
 * `deno run --allow-net … dist/bundle/ev-central.js` (the command is printed). Works offline,
 * where `deno task compile` cannot get its runtime.
 *
 * PGlite (the embedded database) loads its WebAssembly and data files from beside its own
 * modules, so it stays an `npm:` import of the bundle (Deno fetches it once into its cache).
 *
 * @module
 */
import { join } from "node:path";
import { loadConfig, type ProgramSpec, runMain } from "../config.ts";
import { BUILD_PROGRAMS, checkRuns, programTask, ROOT, workerFile, writeEntry } from "./build.ts";

/** Packages left out of a bundle (imported from npm at run time), and why: see the module doc. */
const EXTERNAL = ["@electric-sql/pglite", "@electric-sql/pglite-socket"];

const SPEC = {
  usage: "deno task bundle [--program NAME] [--out DIR]",
  summary: "Builds one JavaScript file per program (deno bundle), its files embedded, " +
    "checked to run its program; run it with `deno run <its task's permissions> FILE`.",
  settings: {
    program: {
      help: `one program (default all: ${BUILD_PROGRAMS.map((p) => p.name).join(", ")})`,
      placeholder: "NAME",
    },
    out: { default: "dist/bundle", help: "output folder", placeholder: "DIR" },
  },
} satisfies ProgramSpec<string>;

runMain(async () => {
  const cfg = loadConfig(SPEC);
  const out = cfg.values.out!;
  const programs = BUILD_PROGRAMS.filter((p) =>
    !cfg.values.program || p.name === cfg.values.program
  );
  if (programs.length === 0) {
    throw new Error(
      `no program '${cfg.values.program}' (one of ${BUILD_PROGRAMS.map((p) => p.name).join(", ")})`,
    );
  }
  const imports: Record<string, string> = JSON.parse(
    await Deno.readTextFile(join(ROOT, "deno.json")),
  ).imports;
  const entries = await Deno.makeTempDir({ dir: ROOT, prefix: ".bundle-" });
  try {
    await Deno.mkdir(out, { recursive: true });
    for (const program of programs) {
      const { main, permissions } = await programTask(program.name);
      const entry = await writeEntry(program, main, entries, { bundle: true });
      const file = join(out, `ev-${program.name}.js`);
      await bundleOne(entry, file, imports);
      for (const [name, source] of Object.entries(program.workers ?? {})) {
        await bundleOne(join(ROOT, source), join(out, workerFile(program, name)), imports);
      }
      const problem = await checkRuns(program, {
        command: Deno.execPath(),
        args: ["run", ...permissions, file],
      });
      if (problem) {
        await Deno.remove(file).catch(() => {});
        throw new Error(`${file} was not delivered: ${problem}`);
      }
      const size = Math.ceil((await Deno.stat(file)).size / 1024);
      console.log(`${file} (${size} KB): deno run ${permissions.join(" ")} ${file}`);
    }
  } finally {
    await Deno.remove(entries, { recursive: true }).catch(() => {});
  }
  return 0;
});

/** Bundles `entry` into `file` (the external packages imported from npm); throws on failure. */
async function bundleOne(entry: string, file: string, imports: Record<string, string>) {
  const built = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "deno",
      ...EXTERNAL.flatMap((e) => ["--external", e]),
      "-o",
      file,
      entry,
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!built.success) {
    await Deno.remove(file).catch(() => {});
    const text = new TextDecoder().decode(built.stderr).trim().split("\n").slice(-3).join(" ");
    throw new Error(`deno bundle of ${entry} failed: ${text}`);
  }
  await Deno.writeTextFile(file, withNpmImports(await Deno.readTextFile(file), imports));
}

/** The bundle's imports of the external packages, as the `npm:` specifiers deno.json maps them to. */
function withNpmImports(code: string, imports: Record<string, string>): string {
  let result = code;
  for (const name of EXTERNAL) {
    const specifier = imports[name];
    if (!specifier) throw new Error(`deno.json maps no '${name}'`);
    result = result.replaceAll(`from "${name}"`, `from "${specifier}"`)
      .replaceAll(`import("${name}")`, `import("${specifier}")`);
  }
  return result;
}
