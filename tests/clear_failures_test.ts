/**
 * Failures a newcomer meets first, each said in one line they can act on: a port in use at
 * Central (before its database is touched) or at the Engine names the port and its setting; the
 * demo says why Kafka did not start (Java missing, Maven missing, the port busy).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { freePort, start } from "./support/programs.ts";

/** The program's exit code and everything it printed. */
async function outcome(task: string, args: string[], env: Record<string, string> = {}) {
  const program = await start(task, args, env);
  const timer = setTimeout(() => program.kill(), 60_000);
  const status = await program.done;
  clearTimeout(timer);
  return { code: status.code, text: program.lines.join("\n") };
}

/** A folder with only `deno` (and `java` when asked) on it, to stand for a PATH without them. */
async function pathWith(dir: string, java: boolean): Promise<string> {
  const bin = join(dir, "bin");
  await Deno.mkdir(bin, { recursive: true });
  await Deno.symlink(Deno.execPath(), join(bin, "deno"));
  const found = await new Deno.Command("sh", { args: ["-c", "command -v java"], stdout: "piped" })
    .output();
  const javaPath = new TextDecoder().decode(found.stdout).trim();
  if (java && javaPath) await Deno.symlink(javaPath, join(bin, "java"));
  return bin;
}

Deno.test("a busy port at Central names it and its setting, before the database is opened", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ev-ports-" });
  const busy = Deno.listen({ hostname: "0.0.0.0", port: 0 });
  const taken = (busy.addr as Deno.NetAddr).port;
  try {
    const socket = await outcome("central", [
      "--no-panel",
      "--port",
      String(taken),
      "--http",
      String(freePort()),
      "--data-dir",
      dir,
    ]);
    assert.equal(socket.code, 2, socket.text);
    assert.match(
      socket.text,
      new RegExp(`error: port ${taken} \\(.*--port / EV_CENTRAL_PORT\\) is in use`),
    );
    const http = await outcome("central", [
      "--no-panel",
      "--port",
      String(freePort()),
      "--http",
      String(taken),
      "--data-dir",
      dir,
    ]);
    assert.equal(http.code, 2, http.text);
    assert.match(
      http.text,
      new RegExp(`error: port ${taken} \\(.*--http / EV_HTTP_PORT\\) is in use`),
    );
    // nothing was opened: no embedded database, not even a word about it
    assert.doesNotMatch(socket.text + http.text, /database/);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    busy.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a busy port at the Engine names it and its setting", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ev-ports-" });
  const busy = Deno.listen({ hostname: "0.0.0.0", port: 0 });
  const taken = (busy.addr as Deno.NetAddr).port;
  try {
    const engine = await outcome("engine", [
      "--id",
      "CP1",
      "--no-panel",
      "--port",
      String(taken),
      "--data-dir",
      dir,
    ]);
    assert.equal(engine.code, 2, engine.text);
    assert.match(
      engine.text,
      new RegExp(`error: port ${taken} \\(.*--port / EV_ENGINE_PORT\\) is in use`),
    );
  } finally {
    busy.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the demo says why Kafka did not start: Java missing, Maven missing, port busy", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "ev-demo-" });
  const demo = (kafka: string, env: Record<string, string>) =>
    outcome("demo", [
      "--kafka",
      kafka,
      "--data-dir",
      join(dir, "data"),
      "--http",
      String(freePort()),
      "--port",
      String(freePort()),
    ], { EV_KAFKA_NO_DOCKER: "1", ...env });
  try {
    await t.step("Java missing", async () => {
      const path = await pathWith(join(dir, "no-java"), false);
      const r = await demo(`127.0.0.1:${freePort()}`, { PATH: path });
      assert.notEqual(r.code, 0);
      assert.match(r.text, /Kafka did not start: Java 17\+ is needed to run Kafka/);
    });
    await t.step("Maven missing (no jars cached yet)", async () => {
      const path = await pathWith(join(dir, "no-maven"), true);
      const r = await demo(`127.0.0.1:${freePort()}`, {
        PATH: path,
        EV_CACHE_DIR: join(dir, "empty-cache"),
      });
      assert.notEqual(r.code, 0);
      assert.match(r.text, /Kafka did not start: Maven \(mvn\) is needed/);
    });
    await t.step("the port is busy (something that is not Kafka)", async () => {
      const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      try {
        const r = await demo(`127.0.0.1:${(busy.addr as Deno.NetAddr).port}`, {});
        assert.notEqual(r.code, 0);
        assert.match(r.text, /Kafka did not start: .*the port is in use by another program/);
      } finally {
        busy.close();
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
