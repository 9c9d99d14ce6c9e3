/**
 * The demo as a newcomer runs it (`deno task demo` in a terminal): a whole network comes up, and
 * Ctrl+C stops everything it started, at once and cleanly.
 */
import assert from "node:assert/strict";
import { freePort, Program, waitFor } from "./support/programs.ts";
import { KAFKA } from "./support/network.ts";

async function answers(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return true;
  } catch {
    return false;
  }
}

/** Starts the demo on free ports; resolves once it runs and has printed a summary. */
async function startDemo() {
  const dir = await Deno.makeTempDir({ prefix: "ev-demo-" });
  const http = freePort();
  const port = freePort();
  // in a session of its own, as a terminal runs it: a Ctrl+C signals the whole process group
  const demo = new Program(
    "demo",
    new Deno.Command("setsid", {
      args: [
        Deno.execPath(),
        "task",
        "demo",
        "--kafka",
        KAFKA,
        "--data-dir",
        dir,
        "--http",
        String(http),
        "--port",
        String(port),
      ],
      cwd: new URL("..", import.meta.url),
      env: { NO_COLOR: "1", EV_TOPIC_PREFIX: `demo${Date.now()}.` },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn(),
  );
  const ctrlC = () => {
    try {
      Deno.kill(-demo.pid, "SIGINT");
    } catch {
      // the whole group is gone
    }
  };
  const ports = [http, port, port + 100, port + 101, port + 102];
  const stop = async () => {
    try {
      Deno.kill(-demo.pid, "SIGKILL");
    } catch {
      // the whole group is gone
    }
    await demo.done;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await demo.waitForLine(/^demo: running\./, 180_000);
    // a summary: the demo is now in its wait between two (5 s)
    const from = demo.lines.length;
    await waitFor(
      "a summary line",
      () => demo.lines.slice(from).some((l) => /^demo: (ALC1|\d+ CPs)/.test(l)),
      60_000,
    );
    for (const p of ports) assert.ok(await answers(p), `port ${p} is not open`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { demo, ports, ctrlC, dir, stop };
}

Deno.test("the demo: Ctrl+C stops everything it started, at once", async () => {
  const { demo, ports, ctrlC, dir, stop } = await startDemo();
  try {
    const sent = performance.now();
    ctrlC();
    await demo.waitForLine(/^demo: stopping/, 10_000);
    const tookMs = performance.now() - sent;
    assert.equal((await demo.done).code, 0, demo.lines.slice(-5).join("\n"));
    // it used to finish its wait first: up to 5 s before anything stopped
    assert.ok(tookMs < 3_000, `Ctrl+C answered after ${Math.round(tookMs)} ms`);
    for (const p of ports) {
      assert.equal(await answers(p), false, `port ${p} is still open after the demo ended`);
    }
    // a clean stop, not a kill half-way through it (the demo's SIGTERM after the terminal's
    // SIGINT used to end Central there: its database not closed)
    const central = await Deno.readTextFile(`${dir}/logs/central.log`);
    assert.match(central, /stopped \(SIGINT\)/, central.split("\n").slice(-4).join("\n"));
  } finally {
    await stop();
  }
});

Deno.test("the demo: a second Ctrl+C while it stops leaves no program of it running", async () => {
  const { demo, ports, ctrlC, stop } = await startDemo();
  try {
    ctrlC();
    await demo.waitForLine(/^demo: stopping/, 10_000);
    // impatient: it used to end the demo alone, its programs running on
    ctrlC();
    await demo.done;
    for (const p of ports) {
      assert.equal(await answers(p), false, `port ${p} is still open after the demo ended`);
    }
  } finally {
    await stop();
  }
});
