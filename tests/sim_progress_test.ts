/**
 * A big fleet takes a while to start and register (10,000 CPs: minutes on a small machine): the
 * simulator shows its progress lines meanwhile, not only once every CP is registered.
 */
import assert from "node:assert/strict";
import { startNetwork } from "./support/network.ts";

const flow = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "fleet: the simulator shows progress while its CPs start and register",
  flow,
  async () => {
    await using net = await startNetwork();
    // 60 CPs at 10 a second: the first 50 at once, the rest 5 s later
    const sim = await net.run("sim", [
      ...["--cps", "60", "--workers", "0", "--start-rate", "10", "--prefix", "SP"],
      ...["--charge", "5", "--duration", "8", "--every", "1"],
      ...["--api", `http://127.0.0.1:${net.httpPort}`, "--central", `127.0.0.1:${net.cpPort}`],
    ]);
    assert.equal((await sim.done).code, 0, sim.lines.slice(-5).join("\n"));
    const asking = sim.lines.findIndex((l) => /drivers asking/.test(l));
    assert.ok(asking > 0, `the drivers asked: ${sim.lines.slice(-5).join(" | ")}`);
    const before = sim.lines.slice(0, asking).filter((l) =>
      /^sim: \d+ s \| CPs \d+\/60 started/.test(l)
    );
    assert.ok(before.length >= 2, `progress lines before the drivers asked: ${before.length}`);
  },
);
