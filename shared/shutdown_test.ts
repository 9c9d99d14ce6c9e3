import assert from "node:assert/strict";

/** A program that has begun to stop, and takes its time: signals after that. */
async function stoppingProgram(): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { holdWhileStopping } from "${new URL("./shutdown.ts", import.meta.url)}";
       holdWhileStopping();
       console.log("stopping");
       setTimeout(() => Deno.exit(0), 60_000);`,
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.getReader();
  await reader.read(); // "stopping": its listeners are on
  reader.releaseLock();
  child.stdout.cancel();
  return child;
}

Deno.test({
  name:
    "while stopping: a SIGTERM or the same Ctrl+C again does not cut the stop short; a later Ctrl+C ends it",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const child = await stoppingProgram();
    let ended = false;
    const status = child.status.then((s) => (ended = true, s));
    child.kill("SIGTERM");
    child.kill("SIGINT"); // the same Ctrl+C, delivered twice
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(ended, false, "a signal ended it half-way through its stop");
    child.kill("SIGINT");
    assert.equal((await status).code, 130);
  },
});
