import assert from "node:assert/strict";
import { serveLinks, type ServerLimit } from "./server.ts";
import { RawPeer } from "./_testing.ts";

Deno.test("connections beyond maxPerAddress are refused with a NACK and closed; others go on", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const limits: Array<[ServerLimit, string]> = [];
  const server = serveLinks(listener, () => ({ onRequest: () => ({ ack: ["OK"] }) }), {
    maxPerAddress: 2,
    onLimit: (limit, remote) => limits.push([limit, remote]),
  });
  const peers: RawPeer[] = [];
  try {
    const connect = async () => {
      const peer = new RawPeer(
        await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
      );
      peers.push(peer);
      return peer;
    };
    const [a, b] = [await connect(), await connect()];
    for (const peer of [a, b]) {
      await peer.write("CHECK#1");
      assert.deepEqual((await peer.read(1)).map((m) => m.type), ["ACK"]);
    }
    const c = await connect();
    const [refusal] = await c.read(2);
    assert.deepEqual(refusal, {
      type: "NACK",
      seq: 0,
      reason: "too many connections from 127.0.0.1 (at most 2)",
    });
    assert.deepEqual(await c.read(1), [], "then the connection is closed");
    assert.deepEqual(limits.map(([limit]) => limit), ["connections-per-address"]);
    assert.match(limits[0][1], /^127\.0\.0\.1:\d+$/);
    assert.equal(server.links.size, 2);
    // one goes: there is room again
    a.close();
    await waitUntil(() => server.links.size === 1);
    const d = await connect();
    await d.write("CHECK#1");
    assert.deepEqual((await d.read(1)).map((m) => m.type), ["ACK"]);
  } finally {
    for (const peer of peers) peer.close();
    await server.close();
  }
});

Deno.test("a link's limits reach the server's onLimit, with the remote address", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const limits: ServerLimit[] = [];
  const server = serveLinks(
    listener,
    () => ({ onRequest: () => new Promise(() => {}), maxInFlight: 1 }),
    { onLimit: (limit) => limits.push(limit) },
  );
  const peer = new RawPeer(await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }));
  try {
    await peer.write("CHECK#1", "CHECK#2");
    assert.deepEqual((await peer.read(1)).map((m) => m.type === "NACK" && m.seq), [2]);
    assert.deepEqual(limits, ["in-flight"]);
  } finally {
    peer.close();
    await server.close();
  }
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}
