/**
 * The shape of the code (STYLE.md): Central's core imports no I/O (only itself and the pure
 * shared definitions), and the CP and driver programs never import Central's code.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

async function* sources(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(new URL(dir, ROOT))) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) yield* sources(path);
    else if (e.name.endsWith(".ts")) yield path;
  }
}

function imports(text: string): string[] {
  return [...text.matchAll(/^\s*(?:import|export)[^"']*?from\s+["']([^"']+)["']/gm)].map((m) =>
    m[1]
  );
}

/** The pure shared modules the core may use. */
const PURE_SHARED = new Set([
  "cp_view.ts",
  "events.ts",
  "partition.ts",
  "ids.ts",
  "foreign_text.ts",
]);

Deno.test("central/core imports no I/O: no adapter, no npm package, no Deno API", async () => {
  for await (const file of sources("central/core")) {
    if (file.endsWith("_test.ts") || file.endsWith("/testing.ts")) continue;
    const text = await Deno.readTextFile(new URL(file, ROOT));
    for (const spec of imports(text)) {
      const ok = spec.startsWith("./") ||
        (spec.startsWith("../../shared/") && PURE_SHARED.has(spec.slice("../../shared/".length)));
      assert.ok(ok, `${file} imports ${spec}`);
    }
    assert.ok(
      !/\bDeno\.|\bsetTimeout\(|\bsetInterval\(|\bDate\.now\(|\bfetch\(/.test(text),
      `${file} does I/O or reads the clock`,
    );
  }
  // and the pure shared modules it uses stay pure
  for (const name of PURE_SHARED) {
    const text = await Deno.readTextFile(new URL(`shared/${name}`, ROOT));
    for (const spec of imports(text)) {
      assert.ok(
        spec.startsWith("./") && PURE_SHARED.has(spec.slice(2)),
        `shared/${name} imports ${spec}`,
      );
    }
  }
});

Deno.test("the CP and driver programs never import Central's code", async () => {
  for (const dir of ["cp", "driver"]) {
    for await (const file of sources(dir)) {
      const text = await Deno.readTextFile(new URL(file, ROOT));
      for (const spec of imports(text)) {
        assert.ok(!spec.includes("central/"), `${file} imports ${spec}`);
      }
    }
  }
});
