/**
 * The demo as a newcomer runs it: a whole network comes up, and Ctrl+C stops everything it
 * started, at once.
 */
import assert from "node:assert/strict";
import { freePort, start, waitFor } from "./support/programs.ts";
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
  const demo = await start("demo", [
    "--kafka",
    KAFKA,
    "--data-dir",
    dir,
    "--http",
    String(http),
    "--port",
    String(port),
  ], { EV_TOPIC_PREFIX: `demo${Date.now()}.` });
  const ports = [http, port, port + 100, port + 101, port + 102];
  const stop = async () => {
    await demo.stop();
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
  return { demo, ports, stop };
}

Deno.test("the demo: Ctrl+C stops everything it started, at once", async () => {
  const { demo, ports, stop } = await startDemo();
  try {
    const sent = performance.now();
    demo.interrupt();
    await demo.waitForLine(/^demo: stopping/, 10_000);
    const tookMs = performance.now() - sent;
    assert.equal((await demo.done).code, 0, demo.lines.slice(-5).join("\n"));
    // it used to finish its wait first: up to 5 s before anything stopped
    assert.ok(tookMs < 3_000, `Ctrl+C answered after ${Math.round(tookMs)} ms`);
    for (const p of ports) {
      assert.equal(await answers(p), false, `port ${p} is still open after the demo ended`);
    }
  } finally {
    await stop();
  }
});

Deno.test("the demo: a second Ctrl+C while it stops leaves no program of it running", async () => {
  const { demo, ports, stop } = await startDemo();
  try {
    demo.interrupt();
    await demo.waitForLine(/^demo: stopping/, 10_000);
    // impatient: it used to end the demo alone, its programs still running without it
    demo.interrupt();
    await demo.done;
    for (const p of ports) {
      assert.equal(await answers(p), false, `port ${p} is still open after the demo ended`);
    }
  } finally {
    await stop();
  }
});
