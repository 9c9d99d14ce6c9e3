/**
 * A flood, all at once, at a Central with a realistic network of 15,000 CPs: connections
 * pipelining frames they never read, request bodies far over the limit, 2,000 slow HTTP
 * connections (silent, or trickling their headers), 200 event-stream clients that never read.
 * Central stays under 300 MB, keeps answering its API, keeps a real CP available and serves a
 * driver's supply to its ticket, and lets go of the abusers.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { plugIn, startNetwork, waitForEvents } from "./support/network.ts";
import { waitFor } from "./support/programs.ts";
import { findPostgresServer } from "./support/postgres.ts";
import { loopbackAddresses, pipeliningPeers, rssMb, slowHttp } from "./support/abusers.ts";

const flow = { sanitizeOps: false, sanitizeResources: false };
const server = await findPostgresServer();
const BIG_NETWORK = 15_000;

Deno.test({
  name: "flood: Central stays small, keeps serving, and lets go of the abusers",
  ignore: !server,
  ...flow,
  fn: async () => {
    await using net = await startNetwork();
    // a realistic network, straight into the database (enrolling 15,000 CPs one by one is slow);
    // its snapshot on the event stream is megabytes: more than a client's socket buffers take
    const sql = postgres(net.env.DATABASE_URL, { max: 1, onnotice: () => {} });
    try {
      await sql`insert into cps (id, location, price_per_kwh, secret_hash)
        select 'BIG-' || lpad(n::text, 5, '0'), repeat('Avenida del Mediterráneo ', 8), 0.3, 'x$y'
        from generate_series(1, ${BIG_NETWORK}) as n`;
    } finally {
      await sql.end();
    }
    await net.central.stop();
    await net.startCentral();
    const base = `http://127.0.0.1:${net.httpPort}`;
    const pid = net.central.pid;
    const cp = await net.addCp("CP1", undefined, ["--auto-unplug", "4"]);
    await net.waitState("CP1", "available", 60_000);
    const idle = rssMb(pid);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 250);

    const peers = pipeliningPeers(net.cpPort, 50);
    const abusers = [peers];
    try {
      const [silent, trickle, streams] = await Promise.all([
        slowHttp(net.httpPort, {
          addresses: loopbackAddresses(2, 20),
          perAddress: 50,
          kind: "silent",
        }),
        slowHttp(net.httpPort, {
          addresses: loopbackAddresses(22, 20),
          perAddress: 50,
          kind: "trickle",
        }),
        slowHttp(net.httpPort, {
          addresses: loopbackAddresses(50, 4),
          perAddress: 50,
          kind: "sse",
        }),
      ]);
      abusers.push(silent, trickle, streams);
      // past the limit per address (64): refused at once (an address of its own, so that the
      // others' header timeouts, however slow this machine, cannot free room under it)
      const extra = await slowHttp(net.httpPort, {
        addresses: ["127.0.0.99"],
        perAddress: 64 + 30,
        kind: "silent",
      });
      abusers.push(extra);
      // (the 64 admitted wait for their header timeout, 10 s: the 30 past them go at once)
      await waitFor(
        "the connections past the limit per address to be refused",
        () => extra.count.closedByServer >= 30,
        8_000,
      );
      // bodies far over the limit, on a route that needs no token
      const chunked = await fetch(`${base}/api/drivers/D9/requests`, {
        method: "POST",
        body: new ReadableStream<Uint8Array>({
          start(c) {
            for (let i = 0; i < 2048; i++) c.enqueue(new Uint8Array(64 * 1024).fill(0x20));
            c.close();
          },
        }),
      }).then((r) => r.status, () => "cut");
      const declared = await fetch(`${base}/api/drivers/D9/requests`, {
        method: "POST",
        headers: { "content-length": String(128 * 1024 * 1024) },
        body: new Uint8Array(128 * 1024 * 1024),
      }).then((r) => r.status, () => "cut");
      assert.ok([413, "cut"].includes(chunked), `a 128 MB chunked body got ${chunked}`);
      assert.ok([413, "cut"].includes(declared), `a 128 MB body got ${declared}`);

      // under all that: the API answers, the CP is available, a driver gets its supply
      const started = Date.now();
      const res = await net.fetch("GET", "/api/cps/CP1");
      assert.equal(res.status, 200);
      assert.equal((await res.json()).state, "available");
      assert.ok(Date.now() - started < 5_000);
      // a network over the default page: the first 10,000, and where the rest is
      const all = await net.fetch("GET", "/api/cps");
      assert.equal((await all.json()).length, 10_000);
      assert.match(all.headers.get("link") ?? "", /^<\/api\/cps\?after=BIG-10000>; rel="next"$/);
      const driver = await net.driver("D1", ["--cp", "CP1"]);
      await waitForEvents(driver, "authorized", 1, 60_000);
      await plugIn(cp.engine);
      const [ticket] = await waitForEvents(driver, "ticket", 1, 60_000);
      assert.ok(Number(ticket.kwh) > 0, "the supply delivered energy");

      // Central lets go of the abusers by itself
      const counts = () =>
        JSON.stringify({
          silent: silent.count,
          trickle: trickle.count,
          streams: streams.count,
          extra: extra.count,
          peers: peers.count,
        });
      await waitFor(
        "the slow connections to be closed",
        () => silent.count.closedByServer >= 1000 && trickle.count.closedByServer >= 1000,
        60_000,
      ).catch((e) => {
        throw new Error(`${e.message}: ${counts()}`);
      });
      // a client that never reads cannot see its connection closed: Central's figures tell
      await waitFor(
        "the streams that never read to be dropped",
        async () => {
          const text = await (await fetch(`${base}/metrics`)).text();
          return metric(text, "ev_sse_streams") === 0 &&
            (metric(text, 'ev_http_limits_total{limit="write-stall"}') ?? 0) >= 200;
        },
        120_000,
      ).catch((e) => {
        throw new Error(`${e.message}: ${counts()}`);
      });
      assert.ok(
        peers.count.closedByServer >= 50,
        `socket peers let go: ${peers.count.closedByServer}`,
      );
      assert.equal((await net.fetch("GET", "/healthz")).status, 200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      for (
        const limit of ["header-timeout", "connections-per-address", "body-size", "write-stall"]
      ) {
        assert.match(metrics, new RegExp(`ev_http_limits_total\\{limit="${limit}"\\} \\d+`), limit);
      }
      const open = metric(metrics, "ev_http_connections") ?? Infinity;
      assert.ok(open < 20, `${open} HTTP connections still open`);
      clearInterval(sampler);
      console.log(JSON.stringify({
        flood: {
          cps: BIG_NETWORK + 1,
          rssMbIdle: idle,
          rssMbPeak: peak,
          httpConnectionsLeft: open,
          socketPeersLetGo: peers.count.closedByServer,
          slowHttpClosed: silent.count.closedByServer + trickle.count.closedByServer,
          streamsDropped: metric(metrics, 'ev_http_limits_total{limit="write-stall"}'),
          refusedPerAddress: extra.count.closedByServer,
          bodies: { chunked, declared },
        },
      }));
      assert.ok(peak < 300, `Central's RSS reached ${peak} MB (idle ${idle} MB)`);
    } finally {
      clearInterval(sampler);
      await Promise.all(abusers.map((a) => a.close()));
    }
  },
});

/** The value of one series in Prometheus text, or undefined when it is not there. */
function metric(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
