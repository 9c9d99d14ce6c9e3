/** The HTTP front's limits, against a real server behind it (connections on the loopback). */
import assert from "node:assert/strict";
import net from "node:net";
import { type HttpServerOptions, startHttpServer } from "./server.ts";
import { Metrics } from "../../shared/metrics.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A server behind the front; the handler answers its client's address, or streams on /stream. */
async function withServer(
  limits: Partial<HttpServerOptions>,
  body: (port: number, metrics: Metrics) => Promise<void>,
): Promise<void> {
  const metrics = new Metrics();
  const streams = new Set<ReadableStreamDefaultController>();
  const server = startHttpServer(
    { hostname: "127.0.0.1", port: 0, metrics, ...limits },
    (req, info) => {
      const url = new URL(req.url);
      if (url.pathname === "/stream") {
        const every = Number(url.searchParams.get("every") ?? "100");
        const size = Number(url.searchParams.get("size") ?? "10");
        let timer: ReturnType<typeof setInterval>;
        return new Response(
          new ReadableStream({
            start(c) {
              streams.add(c);
              timer = setInterval(() => {
                try {
                  c.enqueue(encoder.encode("x".repeat(size)));
                } catch {
                  clearInterval(timer);
                }
              }, every);
            },
            cancel() {
              clearInterval(timer);
            },
          }),
        );
      }
      return Response.json({ remote: info.remoteAddr });
    },
  );
  try {
    await body(server.addr.port, metrics);
  } finally {
    await server.shutdown();
  }
}

/** A raw TCP client: writes text, reads everything until the server closes (or `ms`). */
async function raw(
  port: number,
  send: string,
  ms = 5_000,
): Promise<{ text: string; closedMs: number }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const start = performance.now();
  if (send) await conn.write(encoder.encode(send));
  let text = "";
  const buffer = new Uint8Array(4096);
  const timer = setTimeout(() => conn.close(), ms);
  try {
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += decoder.decode(buffer.subarray(0, n));
    }
  } catch {
    // closed by the timer
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // closed already
    }
  }
  return { text, closedMs: performance.now() - start };
}

Deno.test("a request goes through; the handler sees the client's own address", async () => {
  await withServer({}, async (port) => {
    const res = await fetch(`http://127.0.0.1:${port}/x`);
    const { remote } = await res.json();
    assert.equal(remote.hostname, "127.0.0.1");
    assert.ok(remote.port > 0);
    // from another loopback address
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port, localAddress: "127.0.0.9" });
      let text = "";
      socket.on("data", (d) => (text += d.toString()));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
      socket.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    });
    assert.match(answer, /"hostname":"127\.0\.0\.9"/);
  });
});

Deno.test("a silent connection and a trickled head are answered 408 and closed", async () => {
  await withServer({ headerTimeoutMs: 300 }, async (port, metrics) => {
    const silent = await raw(port, "");
    assert.match(silent.text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(silent.text, /\{"error":"no complete request head within 300 ms"\}$/);
    assert.ok(silent.closedMs < 3_000, `closed after ${silent.closedMs} ms`);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const start = performance.now();
    let closed = false;
    const reading = conn.read(new Uint8Array(1024)).catch(() => null).then(() => (closed = true));
    for (const c of "GET / HTTP/1.1\r\nHost: x\r\n") {
      if (closed) break;
      await conn.write(encoder.encode(c)).catch(() => {});
      await new Promise((r) => setTimeout(r, 50));
    }
    await reading;
    assert.ok(performance.now() - start < 3_000);
    conn.close();
    assert.match(metrics.render(), /ev_http_limits_total\{limit="header-timeout"\} 2/);
  });
});

Deno.test("a body declared over the limit is 413 at once, never read", async () => {
  await withServer({ maxBodyBytes: 1024 }, async (port, metrics) => {
    const res = await raw(
      port,
      "POST /api/cps HTTP/1.1\r\nHost: x\r\nContent-Length: 134217728\r\n\r\n",
    );
    assert.match(res.text, /^HTTP\/1\.1 413 /);
    assert.match(res.text, /"error":"request body of 134217728 bytes: the limit is 1024"/);
    assert.match(metrics.render(), /ev_http_limits_total\{limit="body-size"\} 1/);
  });
});

Deno.test("connections beyond maxPerAddress get 503; other addresses go on", async () => {
  await withServer({ maxPerAddress: 2 }, async (port, metrics) => {
    const held = await Promise.all([1, 2].map(() => Deno.connect({ hostname: "127.0.0.1", port })));
    try {
      const refused = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      assert.match(refused.text, /^HTTP\/1\.1 503 /);
      assert.match(refused.text, /too many connections from 127\.0\.0\.1 \(at most 2\)/);
      const other = await new Promise<string>((resolve, reject) => {
        const socket = net.connect({ host: "127.0.0.1", port, localAddress: "127.0.0.3" });
        let text = "";
        socket.on("data", (d) => (text += d.toString()));
        socket.on("end", () => resolve(text));
        socket.on("error", reject);
        socket.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      });
      assert.match(other, /^HTTP\/1\.1 200 /);
      assert.match(metrics.render(), /ev_http_limits_total\{limit="connections-per-address"\} 1/);
    } finally {
      for (const c of held) c.close();
    }
  });
});

Deno.test("an idle keep-alive connection is closed; a stream that moves is not", async () => {
  await withServer({ idleTimeoutMs: 400 }, async (port) => {
    const idle = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.match(idle.text, /^HTTP\/1\.1 200 /);
    assert.ok(idle.closedMs < 3_000, `closed after ${idle.closedMs} ms`);
    const stream = await raw(port, "GET /stream?every=100 HTTP/1.1\r\nHost: x\r\n\r\n", 1_500);
    assert.ok(stream.closedMs >= 1_400, `a moving stream was closed after ${stream.closedMs} ms`);
  });
});

Deno.test("a client that never reads a stream is let go", async () => {
  await withServer({ writeTimeoutMs: 500 }, async (port, metrics) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(encoder.encode("GET /stream?every=1&size=65536 HTTP/1.1\r\nHost: x\r\n\r\n"));
    const deadline = Date.now() + 20_000;
    while (!/write-stall/.test(metrics.render()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    conn.close();
    assert.match(metrics.render(), /ev_http_limits_total\{limit="write-stall"\} 1/);
  });
});
