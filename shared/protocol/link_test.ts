import assert from "node:assert/strict";
import { Prng } from "./_prng.ts";
import { LinkClosedError, RequestTimeoutError } from "./errors.ts";
import { encodeFrame, FrameDecoder } from "./frame.ts";
import { RawPeer, tcpPair } from "./_testing.ts";
import { type ByteStream, FramedLink, type RequestHandler } from "./link.ts";
import { decodeMessage, type Reply } from "./messages.ts";
import { TimerWheel } from "../timer_wheel.ts";

/** Two links talking over TCP, closed (and checked closed) after `body`. */
async function withLinks(
  options: [
    ConstructorParameters<typeof FramedLink>[1],
    ConstructorParameters<typeof FramedLink>[1],
  ],
  body: (a: FramedLink, b: FramedLink) => Promise<void>,
): Promise<void> {
  const [x, y] = await tcpPair();
  const a = new FramedLink(x, options[0]);
  const b = new FramedLink(y, options[1]);
  try {
    await body(a, b);
  } finally {
    a.close();
    b.close();
    await Promise.all([a.closed, b.closed]);
  }
}

/** A link facing a raw peer. */
async function withRawPeer(
  options: ConstructorParameters<typeof FramedLink>[1],
  body: (link: FramedLink, peer: RawPeer) => Promise<void>,
): Promise<void> {
  const [x, y] = await tcpPair();
  const link = new FramedLink(x, options);
  const peer = new RawPeer(y);
  try {
    await body(link, peer);
  } finally {
    link.close();
    await link.closed;
    peer.close();
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const echoCpId: RequestHandler = (request) =>
  request.type === "AUTH" ? { ack: [request.cpId, "available"] } : { nack: "not AUTH" };

const AUTH = { type: "AUTH", cpId: "CP1", secret: "s", location: "", pricePerKwh: 0.3 } as const;

Deno.test("request gets the handler's ACK or NACK", async () => {
  await withLinks([{}, { onRequest: echoCpId }], async (a) => {
    assert.deepEqual(await a.request(AUTH), { type: "ACK", seq: 1, fields: ["CP1", "available"] });
    assert.deepEqual(await a.request({ type: "STOP" }), {
      type: "NACK",
      seq: 2,
      reason: "not AUTH",
    });
  });
});

Deno.test("a link without a handler refuses requests; a throwing handler gives 'internal error'", async () => {
  const errors: unknown[] = [];
  const onRequest = () => {
    throw new Error("bug");
  };
  await withLinks([{}, { onRequest, onError: (e) => errors.push(e) }], async (a, b) => {
    assert.deepEqual(await b.request({ type: "CHECK" }), {
      type: "NACK",
      seq: 1,
      reason: "unexpected CHECK",
    });
    assert.deepEqual(await a.request({ type: "CHECK" }), {
      type: "NACK",
      seq: 1,
      reason: "internal error",
    });
    assert.equal(errors.length, 1);
  });
});

Deno.test("a request with no reply times out, and a late reply is counted, not bad input", async () => {
  const bad: string[] = [];
  await withRawPeer({ onBadInput: (r) => bad.push(r) }, async (link, peer) => {
    const started = performance.now();
    await assert.rejects(link.request({ type: "CHECK" }, { timeoutMs: 50 }), RequestTimeoutError);
    assert.ok(performance.now() - started >= 45);
    assert.deepEqual(await peer.read(1), [{ type: "CHECK", seq: 1 }]);
    await peer.write("ACK#1#OK"); // too late
    const second = link.request({ type: "CHECK" });
    assert.deepEqual(await peer.read(1), [{ type: "CHECK", seq: 2 }]);
    await peer.write("ACK#2#OK");
    assert.deepEqual(await second, { type: "ACK", seq: 2, fields: ["OK"] });
    assert.deepEqual(bad, []);
    assert.equal(link.lateReplies, 1);
  });
});

Deno.test("bad input gets a NACK with the best seq, and onBadInput is told", async () => {
  const bad: string[] = [];
  const options = { onRequest: () => ({ ack: [] }), onBadInput: (r: string) => bad.push(r) };
  await withRawPeer(options, async (_link, peer) => {
    const wrongLrc = encodeFrame("STOP#5");
    wrongLrc[wrongLrc.length - 1] ^= 1;
    await peer.write(
      new TextEncoder().encode("hello"),
      "FOO#3",
      wrongLrc,
      "AUTH#7#x",
      "HEALTH#9#OK",
    );
    const expected = [
      "bytes outside a frame",
      "unknown opcode 'FOO'",
      "bad checksum (LRC)",
      "AUTH needs 4 or 5 fields, got 1",
    ];
    assert.deepEqual(await peer.read(5), [
      { type: "NACK", seq: 0, reason: expected[0] },
      { type: "NACK", seq: 3, reason: expected[1] },
      { type: "NACK", seq: 0, reason: expected[2] },
      { type: "NACK", seq: 7, reason: expected[3] },
      { type: "ACK", seq: 9, fields: [] },
    ]);
    assert.deepEqual(bad, expected);
  });
});

Deno.test("a reply is never answered, even a broken one", async () => {
  const bad: string[] = [];
  await withRawPeer(
    { onRequest: () => ({ ack: [] }), onBadInput: (r) => bad.push(r) },
    async (_link, peer) => {
      await peer.write("ACK#5", "NACK#0#bad%1Bchecksum", "ACK#x", "STOP#1");
      assert.deepEqual(await peer.read(1), [{ type: "ACK", seq: 1, fields: [] }]);
      assert.deepEqual(bad, [
        "ACK #5 answers no pending request",
        "NACK #0 answers no pending request: 'bad\\u001bchecksum'",
        "bad seq 'x'",
      ]);
    },
  );
});

Deno.test("maxBadFrames bad frames in a row close the link; a good one resets the count", async () => {
  await withRawPeer({ onRequest: () => ({ ack: [] }), maxBadFrames: 3 }, async (link, peer) => {
    await peer.write("FOO#1", "FOO#2", "STOP#3", "FOO#4", "FOO#5");
    const replies = (await peer.read(5)).sort((m, n) => m.seq - n.seq); // the ACK is async
    assert.deepEqual(replies.map((m) => `${m.type}#${m.seq}`), [
      "NACK#1",
      "NACK#2",
      "ACK#3",
      "NACK#4",
      "NACK#5",
    ]);
    assert.equal(link.closeReason, undefined);
    await peer.write("FOO#6");
    await link.closed;
    assert.equal(link.closeReason, "3 bad frames in a row");
    assert.deepEqual(await peer.read(1), []); // the peer sees the connection end
  });
});

Deno.test("idleTimeoutMs closes a silent connection, and traffic keeps a link open", async () => {
  await withRawPeer({ idleTimeoutMs: 60 }, async (link, peer) => {
    const started = performance.now();
    // closed neither early nor late (a generous bound: this machine may be busy)
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = await Promise.race([
      link.closed.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 3_000))),
    ]);
    clearTimeout(timer);
    assert.equal(late, false, "a 60 ms idle timeout did not close the link within 3 s");
    assert.ok(performance.now() - started >= 55);
    assert.equal(link.closeReason, "nothing received for 60 ms");
    assert.deepEqual(await peer.read(1), []);
  });
  await withLinks([{}, { idleTimeoutMs: 60, onRequest: () => ({ ack: [] }) }], async (a, b) => {
    for (let i = 0; i < 8; i++) {
      await a.request({ type: "HEALTH", health: "OK" });
      await delay(25);
    }
    assert.equal(b.closeReason, undefined);
  });
});

Deno.test("concurrent requests from both sides, answered out of order, all match", async () => {
  const random = new Prng(30);
  const slowEcho: RequestHandler = async (request) => {
    await delay(random.int(0, 10));
    return echoCpId(request);
  };
  // 100 requests in flight each way: beyond the default limit (32), so it is raised
  const options = { onRequest: slowEcho, maxInFlight: 100 };
  await withLinks([options, options], async (a, b) => {
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).request({ ...AUTH, cpId: `CP${i}` })),
    );
    replies.forEach((reply, i) =>
      assert.deepEqual(reply.type === "ACK" && reply.fields[0], `CP${i}`)
    );
  });
});

Deno.test("a closing link fails pending and later requests with LinkClosedError", async () => {
  await withRawPeer({}, async (link, peer) => {
    const pending = link.request({ type: "CHECK" });
    await peer.read(1);
    peer.close();
    await assert.rejects(pending, LinkClosedError);
    await link.closed;
    assert.equal(link.closeReason, "peer closed the connection");
    await assert.rejects(link.request({ type: "CHECK" }), LinkClosedError);
    await assert.rejects(link.send({ type: "ACK", seq: 1, fields: [] }), LinkClosedError);
    link.close();
    link.close();
  });
});

Deno.test("the peer closing in the middle of many writes leaves nothing unhandled", async () => {
  const [x, y] = await tcpPair();
  const link = new FramedLink(x);
  const big = { ...AUTH, location: "x".repeat(200), secret: "s".repeat(256) };
  const requests = Array.from({ length: 2000 }, () => link.request(big));
  y.close();
  const outcomes = await Promise.allSettled(requests);
  assert.ok(outcomes.every((o) => o.status === "rejected" && o.reason instanceof LinkClosedError));
  await link.closed;
});

Deno.test("writes never interleave, even when the connection takes a few bytes at a time", async () => {
  const random = new Prng(31);
  const written: number[] = [];
  let ended = () => {};
  const stream: ByteStream = {
    read: () => new Promise((resolve) => (ended = () => resolve(null))),
    async write(bytes) {
      await Promise.resolve(); // let any other write run now, if one could
      const n = Math.min(bytes.length, random.int(1, 3));
      written.push(...bytes.subarray(0, n));
      return n;
    },
    close: () => ended(),
  };
  const link = new FramedLink(stream);
  const sent: Reply[] = Array.from(
    { length: 30 },
    (_, i) => ({ type: "ACK", seq: i + 1, fields: [`${i}`] }),
  );
  await Promise.all(sent.map((m) => link.send(m)));
  link.close();
  await link.closed;
  const frames = new FrameDecoder().push(Uint8Array.from(written));
  assert.deepEqual(frames.map((f) => f.ok && decodeMessage(f.data)), sent);
});

Deno.test("an idle link's pending read holds a small buffer; a burst is read in bigger ones", async () => {
  const stream = new ScriptedStream();
  const got: string[] = [];
  const link = new FramedLink(stream, {
    onRequest: (request) => {
      got.push(request.type === "HEALTH" ? request.health : request.type);
      return { ack: [] };
    },
    maxInFlight: 1000, // the burst is 300 requests at once
  });
  const health = (i: number) => encodeFrame(`HEALTH#${i}#${i % 2 ? "OK" : "KO"}`);
  await stream.give(health(1));
  const burst = Array.from({ length: 300 }, (_, i) => [...health(i + 2)]).flat();
  await stream.give(Uint8Array.from(burst)); // 3.6 KB: more than a small read holds
  await stream.give(health(302));
  link.close();
  await link.closed;
  assert.equal(got.length, 302);
  const sizes = stream.readSizes;
  assert.ok(sizes[0] <= 512, `an idle read holds ${sizes[0]} bytes`);
  assert.ok(Math.max(...sizes) > 512, `the burst was read in ${sizes.length} reads of ${sizes}`);
  assert.ok(sizes.at(-1)! <= 512, `after the burst a read holds ${sizes.at(-1)} bytes`);
});

/** A stream whose bytes are handed out as the link reads, recording each read's buffer size. */
class ScriptedStream implements ByteStream {
  readSizes: number[] = [];
  #waiting: Uint8Array = new Uint8Array();
  #reader?: { buffer: Uint8Array; resolve(n: number | null): void };
  #drained = () => {};

  /** Offers `bytes` and resolves once the link has read them all. */
  give(bytes: Uint8Array): Promise<void> {
    this.#waiting = bytes;
    const drained = new Promise<void>((resolve) => (this.#drained = resolve));
    this.#serve();
    return drained;
  }

  read(buffer: Uint8Array): Promise<number | null> {
    this.readSizes.push(buffer.length);
    return new Promise((resolve) => {
      this.#reader = { buffer, resolve };
      this.#serve();
    });
  }

  write(bytes: Uint8Array): Promise<number> {
    return Promise.resolve(bytes.length);
  }

  close(): void {
    this.#reader?.resolve(null);
    this.#reader = undefined;
  }

  #serve(): void {
    if (!this.#reader) return;
    if (this.#waiting.length === 0) return this.#drained();
    const { buffer, resolve } = this.#reader;
    this.#reader = undefined;
    const n = Math.min(buffer.length, this.#waiting.length);
    buffer.set(this.#waiting.subarray(0, n));
    this.#waiting = this.#waiting.subarray(n);
    resolve(n);
  }
}

Deno.test("bad options are refused", async () => {
  const [x, y] = await tcpPair();
  for (const options of [{ maxBadFrames: 0 }, { idleTimeoutMs: -1 }, { requestTimeoutMs: NaN }]) {
    assert.throws(() => new FramedLink(x, options), RangeError);
  }
  const link = new FramedLink(x);
  await assert.rejects(link.request({ type: "CHECK" }, { timeoutMs: 0 }), RangeError);
  link.close();
  await link.closed;
  y.close();
});

Deno.test("quietSince: time the program itself was late does not count as the peer's silence", async () => {
  let late = true;
  await withRawPeer({
    idleTimeoutMs: 60,
    // while "late", no time counts as quiet
    quietSince: (since) => late ? 0 : performance.now() - since,
  }, async (link) => {
    await delay(150);
    assert.equal(link.closeReason, undefined, "closed while this side was late");
    late = false;
    await link.closed;
    assert.equal(link.closeReason, "nothing received for 60 ms");
  });
});

Deno.test("a link's timers run on the scheduler it is given (one wheel for thousands of links)", async () => {
  const wheel = new TimerWheel({ drive: false });
  await withRawPeer({ scheduler: wheel }, async (link, peer) => {
    const unanswered = link.request({ type: "CHECK" }, { timeoutMs: 50 });
    let settled = false;
    unanswered.catch(() => {}).finally(() => (settled = true));
    assert.deepEqual(await peer.read(1), [{ type: "CHECK", seq: 1 }]);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(settled, false, "its timeout is the wheel's, which has not turned");
    assert.ok(wheel.size > 0);
    wheel.advance();
    await assert.rejects(unanswered, RequestTimeoutError);
  });
  wheel.close();
});

Deno.test("a peer waiting for this side's answer is not silent: the idle timeout waits for it", async () => {
  const slow: RequestHandler = () =>
    new Promise((r) => setTimeout(() => r({ ack: ["late"] }), 300));
  await withLinks([{}, { idleTimeoutMs: 100, onRequest: slow }], async (a, b) => {
    const reply = await a.request({ type: "CHECK" }, { timeoutMs: 2_000 });
    assert.deepEqual(reply, { type: "ACK", seq: 1, fields: ["late"] });
    assert.equal(b.closeReason, undefined);
    // once answered, its silence counts again
    await b.closed;
    assert.match(b.closeReason ?? "", /nothing received/);
  });
});
