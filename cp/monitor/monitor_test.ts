/**
 * The Monitor judges silence only while it was on time: a Monitor (and its Engine, in the same
 * process, as in the fleet simulator) whose event loop is blocked for 6 s reports no fault and
 * keeps its link to Central; an Engine that really stops answering is reported KO.
 */
import assert from "node:assert/strict";
import { Monitor } from "./monitor.ts";
import { Engine } from "../engine/engine.ts";
import { serveMonitors } from "../engine/monitor_server.ts";
import { EngineIdentity } from "../engine/identity.ts";
import { serveLinks } from "../../shared/protocol/server.ts";
import { LoopLag } from "../../shared/loop_lag.ts";
import { setLogSink } from "../../shared/log.ts";
import type { RequestHandler } from "../../shared/protocol/link.ts";

const addr = (l: Deno.Listener) => ({ hostname: "127.0.0.1", port: (l.addr as Deno.NetAddr).port });

/** A stand-in Central: accepts any AUTH and HEALTH, and remembers what it was told. */
function fakeCentral() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const told: string[] = [];
  const server = serveLinks(listener, () => ({
    onRequest: (msg) => {
      if (msg.type === "AUTH") told.push(`AUTH ${msg.health}`);
      else if (msg.type === "HEALTH") told.push(`HEALTH ${msg.health}`);
      return { ack: ["available"] };
    },
  }));
  return { at: addr(listener), told, close: () => server.close() };
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const quiet = () => setLogSink(() => {});

/**
 * A Monitor, Central, and an Engine served by `serve` on the Monitor's Engine address; `lag`, the
 * process's lateness when the Monitor shares it; `after` runs once the Monitor and its Engine's
 * server are stopped.
 */
function startMonitor(
  serve: (listener: Deno.TcpListener) => { close(): Promise<void> },
  { lag, after = () => {} }: { lag?: LoopLag; after?: () => void } = {},
) {
  const previous = quiet();
  const central = fakeCentral();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const server = serve(listener);
  const monitor = new Monitor({
    id: "CP1",
    secret: "s",
    location: "",
    engine: addr(listener),
    central: [central.at],
    ...(lag ? { lag } : {}),
  });
  const stop = async () => {
    await monitor.stop();
    await server.close();
    after();
    await central.close();
    setLogSink(previous);
  };
  return { central, monitor, stop };
}

/** A CP (Engine and Monitor in one process, sharing its lateness, as in the simulator) and Central. */
async function startCp() {
  const lag = new LoopLag();
  const engine = new Engine({ id: "CP1", maxKw: 22 });
  const identity = new EngineIdentity("CP1");
  const after = () => {
    engine.stop();
    lag.close();
  };
  const cp = startMonitor((l) => serveMonitors(l, { engine: () => engine, identity, lag }), {
    lag,
    after,
  });
  // once the logs are quiet
  engine.setKafkaReady(true);
  await engine.start();
  return { lag, ...cp };
}

/** A Monitor whose Engine answers with `onRequest`, and Central. */
function startWithEngine(onRequest: RequestHandler) {
  return startMonitor((listener) => serveLinks(listener, () => ({ onRequest })));
}

Deno.test("monitor: a blocked event loop is not a fault (the Monitor was late, not its Engine)", async () => {
  const { lag, central, monitor, stop } = await startCp();
  const notes: string[] = [];
  monitor.onChange(() => notes.splice(0, notes.length, ...monitor.notes));
  try {
    monitor.start();
    await until("registration", () => monitor.central === "connected");
    await until("two reports", () => central.told.filter((t) => t === "HEALTH OK").length >= 2);
    // the whole process is late: longer than a CHECK's deadline, Central's answer deadline and
    // the Engine's silence limit
    const until6s = performance.now() + 6_000;
    while (performance.now() < until6s) { /* busy */ }
    const reports = central.told.length;
    await until("reports again", () => central.told.length >= reports + 3);
    assert.equal(monitor.engineHealth, "OK");
    assert.deepEqual(central.told.filter((t) => t !== "HEALTH OK"), ["AUTH OK"]);
    assert.ok(!notes.some((n) => /KO|lost/.test(n)), notes.join(" | "));
    assert.ok(lag.figures(10_000).maxMs >= 5_000, "the lag was seen");
  } finally {
    await stop();
  }
});

Deno.test("monitor: a Monitor late at its start registers its Engine as found, not KO", async () => {
  const { central, monitor, stop } = await startCp();
  try {
    monitor.start();
    // the process is late before the Engine was asked anything: longer than the start's grace
    const until4s = performance.now() + 4_000;
    while (performance.now() < until4s) { /* busy */ }
    await until("registration", () => monitor.central === "connected");
    assert.equal(central.told[0], "AUTH OK");
    assert.ok(!central.told.includes("HEALTH KO"), central.told.join(" | "));
  } finally {
    await stop();
  }
});

Deno.test("monitor: an Engine that never answers is registered KO", async () => {
  // connections are taken, nothing is ever answered
  const { central, monitor, stop } = startWithEngine(() => new Promise(() => {}));
  try {
    monitor.start();
    await until("registration", () => monitor.central === "connected");
    assert.equal(central.told[0], "AUTH KO");
  } finally {
    await stop();
  }
});

Deno.test("monitor: an Engine that stops answering while the Monitor is on time is KO", async () => {
  // an Engine that knows who it is, then never answers a CHECK
  let answering = true;
  const { central, monitor, stop } = startWithEngine((msg) =>
    msg.type === "CHECK" && !answering ? new Promise(() => {}) : { ack: ["OK", "", ""] }
  );
  try {
    monitor.start();
    await until("registration", () => monitor.central === "connected");
    answering = false;
    const t0 = performance.now();
    await until("a KO report", () => central.told.includes("HEALTH KO"));
    assert.ok(performance.now() - t0 < 5_000);
  } finally {
    await stop();
  }
});
