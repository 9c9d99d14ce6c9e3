/** The limits of a link: bounded bytes waiting to be sent, a stalled write, requests in flight. */
import assert from "node:assert/strict";
import { encodeFrame } from "./frame.ts";
import { FramedLink, type LinkLimit } from "./link.ts";
import { RawPeer, tcpPair } from "./_testing.ts";

/** Pipelines CHECK frames at the link without ever reading, until the link lets go. */
async function floodUntilClosed(link: FramedLink, peer: RawPeer, maxMs = 30_000): Promise<number> {
  const batch = new Uint8Array(
    Array.from({ length: 2000 }, (_, i) => [...encodeFrame(`CHECK#${i + 1}`)]).flat(),
  );
  let closed = false;
  link.closed.then(() => (closed = true));
  const deadline = Date.now() + maxMs;
  let sent = 0;
  while (!closed && Date.now() < deadline) {
    try {
      await peer.write(batch);
      sent += 2000;
    } catch {
      break; // the link closed the connection
    }
    await new Promise((r) => setTimeout(r, 0));
  }
  await Promise.race([link.closed, new Promise((r) => setTimeout(r, 5_000))]);
  return sent;
}

Deno.test("a peer that pipelines requests and never reads is let go: bounded bytes waiting", async () => {
  const [x, y] = await tcpPair();
  const limits: LinkLimit[] = [];
  const link = new FramedLink(x, {
    onRequest: () => ({ ack: ["OK"] }),
    maxQueuedBytes: 64 * 1024,
    writeTimeoutMs: 60_000,
    maxInFlight: 1_000_000, // this test is about the bytes waiting
    onLimit: (limit) => limits.push(limit),
  });
  const peer = new RawPeer(y);
  try {
    const before = Deno.memoryUsage().rss;
    const sent = await floodUntilClosed(link, peer);
    assert.ok(link.closeReason, `the link is still open after ${sent} requests`);
    assert.match(link.closeReason!, /peer is not reading: over 65536 bytes waiting to be sent/);
    assert.ok(limits.includes("outbound"), `limits told: ${limits}`);
    const grew = Deno.memoryUsage().rss - before;
    assert.ok(grew < 100 * 1024 * 1024, `memory grew by ${grew} bytes`);
  } finally {
    link.close();
    await link.closed;
    peer.close();
  }
});

Deno.test("a write that stalls longer than writeTimeoutMs closes the link", async () => {
  const [x, y] = await tcpPair();
  const limits: LinkLimit[] = [];
  const link = new FramedLink(x, {
    onRequest: () => ({ ack: ["OK"] }),
    writeTimeoutMs: 500,
    maxInFlight: 1_000_000,
    maxQueuedBytes: 1024 * 1024 * 1024, // this test is about the stalled write
    onLimit: (limit) => limits.push(limit),
  });
  const peer = new RawPeer(y);
  try {
    await floodUntilClosed(link, peer);
    assert.match(link.closeReason ?? "open", /write stalled for 500 ms: the peer is not reading/);
    assert.deepEqual(limits, ["write-stall"]);
  } finally {
    link.close();
    await link.closed;
    peer.close();
  }
});

Deno.test("requests beyond maxInFlight are NACKed without reaching the handler", async () => {
  const [x, y] = await tcpPair();
  const limits: LinkLimit[] = [];
  let handled = 0;
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const link = new FramedLink(x, {
    onRequest: async () => {
      handled++;
      await held;
      return { ack: [] };
    },
    maxInFlight: 4,
    onLimit: (limit) => limits.push(limit),
  });
  const peer = new RawPeer(y);
  try {
    await peer.write(...Array.from({ length: 7 }, (_, i) => `CHECK#${i + 1}`));
    const nacks = await peer.read(3);
    assert.deepEqual(
      nacks.map((m) => m.type === "NACK" && [m.seq, m.reason]),
      [5, 6, 7].map((seq) => [seq, "too many requests in flight (at most 4)"]),
    );
    assert.equal(handled, 4);
    assert.deepEqual(limits, ["in-flight", "in-flight", "in-flight"]);
    release();
    const acks = await peer.read(4);
    assert.deepEqual(acks.map((m) => m.type), ["ACK", "ACK", "ACK", "ACK"]);
    // room again: the next request is served
    await peer.write("CHECK#8");
    assert.deepEqual((await peer.read(1)).map((m) => m.type), ["ACK"]);
    assert.equal(link.closeReason, undefined);
  } finally {
    link.close();
    await link.closed;
    peer.close();
  }
});

Deno.test("a peer that keeps pipelining past maxInFlight is closed like any bad peer", async () => {
  const [x, y] = await tcpPair();
  const link = new FramedLink(x, {
    onRequest: () => new Promise(() => {}),
    maxInFlight: 2,
    maxBadFrames: 5,
  });
  const peer = new RawPeer(y);
  try {
    await peer.write(...Array.from({ length: 20 }, (_, i) => `CHECK#${i + 1}`));
    await link.closed;
    assert.match(link.closeReason!, /5 bad frames in a row/);
  } finally {
    link.close();
    await link.closed;
    peer.close();
  }
});

Deno.test("bad limits are refused", async () => {
  const [x, y] = await tcpPair();
  for (const options of [{ maxQueuedBytes: 0 }, { maxInFlight: -1 }, { writeTimeoutMs: NaN }]) {
    assert.throws(() => new FramedLink(x, options), RangeError);
  }
  x.close();
  y.close();
});
