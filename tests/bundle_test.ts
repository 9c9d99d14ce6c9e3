/**
 * What can be proven of the binaries here is proven with bundles: `deno task bundle` builds one
 * file per program, and each runs with exactly the permissions of its task, from a folder that
 * holds nothing of the repository, through a real supply; Central's bundle serves the dashboard's
 * files it carries inside. `deno task compile`, which cannot get its runtime here, ends with one
 * line naming the offline route and leaves no file behind, and a runtime that is only Deno's CLI
 * (DENORT_BIN=deno) yields no binary.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { driverEvents, plugIn, startNetwork, waitForEvents } from "./support/network.ts";
import { start } from "./support/programs.ts";

const flow = { sanitizeOps: false, sanitizeResources: false };
const WEB = new URL("../central/web/", import.meta.url);

/** The exit code and the output of a task run to its end. */
async function run(task: string, args: string[], env: Record<string, string> = {}) {
  const p = await start(task, args, env);
  const status = await p.done;
  return { code: status.code, lines: p.lines.filter((l) => l.trim() !== "") };
}

/** Every file below `dir` (none when it does not exist). */
async function filesIn(dir: string): Promise<string[]> {
  const found: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) found.push(...await filesIn(join(dir, e.name)));
      else found.push(join(dir, e.name));
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return found;
}

Deno.test(
  "bundles run with their tasks' permissions through a supply, web files inside",
  flow,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "ev-bundle-" });
    try {
      const out = join(dir, "bundle");
      const built = await run("bundle", ["--out", out]);
      assert.equal(built.code, 0, built.lines.join("\n"));
      const entries = Object.fromEntries(
        ["central", "engine", "monitor", "driver"].map((p) => [p, join(out, `ev-${p}.js`)]),
      );
      const pc = join(dir, "pc"); // a folder with nothing of the repository in it
      await Deno.mkdir(pc);
      await using net = await startNetwork({ entries, cwd: pc });
      for (
        const [path, file] of [["/", "index.html"], ["/driver", "driver.html"], [
          "/app.js",
          "app.js",
        ], [
          "/style.css",
          "style.css",
        ]]
      ) {
        const res = await net.fetch("GET", path);
        assert.equal(res.status, 200, path);
        assert.deepEqual(
          new Uint8Array(await res.arrayBuffer()),
          await Deno.readFile(new URL(file, WEB)),
        );
      }
      const cp = await net.addCp("CP1");
      await net.waitState("CP1", "available", 30_000);
      const d = await net.driver("D1", ["--cp", "CP1"]);
      await waitForEvents(d, "authorized", 1, 30_000);
      await plugIn(cp.engine);
      await waitForEvents(d, "progress", 2, 20_000);
      await cp.engine.say("E");
      assert.equal((await d.done).code, 0, d.lines.slice(-5).join("\n"));
      assert.equal(driverEvents(d).filter((e) => e.type === "ticket").length, 1);
      assert.equal((await net.sessionsOf("D1")).length, 1);
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
);

Deno.test("compile: one clear line, no file that pretends to be a binary", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "ev-compile-" });
  const target = Deno.build.target;
  try {
    await t.step("without its runtime: the offline route, named", async () => {
      const r = await run("compile", ["--target", target, "--out", join(dir, "a")]);
      if (r.code === 0) {
        console.log("the runtime archive is on this machine: binaries were built and checked");
        return;
      }
      assert.equal(r.lines.length, 1, r.lines.join("\n"));
      assert.match(r.lines[0], /^error: cannot build binaries here: .*denort-.*\.zip/);
      assert.match(r.lines[0], /Offline route: put that archive .* at .*\/dl\/release\/v.*\.zip/);
      assert.deepEqual(await filesIn(join(dir, "a")), []);
    });
    await t.step("DENORT_BIN=deno (Deno's CLI, not its runtime): no binary", async () => {
      const r = await run("compile", [
        "--target",
        target,
        "--program",
        "driver",
        "--out",
        join(dir, "b"),
      ], {
        DENORT_BIN: Deno.execPath(),
      });
      assert.equal(r.code, 1);
      assert.equal(r.lines.length, 1, r.lines.join("\n"));
      assert.match(r.lines[0], /was not delivered \(removed\): it runs Deno's own command line/);
      assert.deepEqual(await filesIn(join(dir, "b")), []);
    });
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
