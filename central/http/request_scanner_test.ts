import assert from "node:assert/strict";
import { RequestScanner } from "./request_scanner.ts";

const enc = new TextEncoder();
const bytes = (text: string) => enc.encode(text);

Deno.test("a GET is a head, and the end of its request", () => {
  const s = new RequestScanner();
  assert.equal(s.state, "idle");
  assert.deepEqual(s.push(bytes("GET /api/cps HTTP/1.1\r\nHost: x\r\n")), [{ kind: "started" }]);
  assert.equal(s.state, "head");
  assert.deepEqual(s.push(bytes("\r\n")), [{ kind: "head", method: "GET", body: 0 }, {
    kind: "end",
  }]);
  assert.equal(s.state, "idle");
});

Deno.test("a body of Content-Length is counted to its end, however it is cut", () => {
  const s = new RequestScanner();
  const request =
    'POST /api/cps HTTP/1.1\r\nContent-Length: 11\r\n\r\n{"id":"X1"}GET / HTTP/1.1\r\n\r\n';
  const events = [...request].flatMap((c) => s.push(bytes(c)));
  assert.deepEqual(events.map((e) => e.kind), ["started", "head", "end", "started", "head", "end"]);
  assert.deepEqual(events[1], { kind: "head", method: "POST", body: 11 });
});

Deno.test("a head over the limit is 431; a declared body over the limit is 413", () => {
  const big = new RequestScanner({ maxHeadBytes: 64 });
  const events = big.push(bytes(`GET / HTTP/1.1\r\nX: ${"y".repeat(100)}`));
  assert.deepEqual(events.at(-1), {
    kind: "refuse",
    status: 431,
    reason: "request head over 64 bytes",
  });
  assert.equal(big.state, "refused");
  const body = new RequestScanner({ maxBodyBytes: 1000 });
  assert.deepEqual(
    body.push(bytes("POST / HTTP/1.1\r\nContent-Length: 128000000\r\n\r\n")).at(-1),
    {
      kind: "refuse",
      status: 413,
      reason: "request body of 128000000 bytes: the limit is 1000",
    },
  );
});

Deno.test("broken heads are 400", () => {
  for (
    const head of [
      "GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "\x00\x01\x02 garbage\r\n\r\n",
      "GET /\r\n\r\n",
    ]
  ) {
    const events = new RequestScanner().push(bytes(head));
    assert.equal(events.at(-1)?.kind, "refuse", JSON.stringify(head));
    assert.equal((events.at(-1) as { status: number }).status, 400, JSON.stringify(head));
  }
});

Deno.test("a chunked body is followed chunk by chunk to its end", () => {
  const s = new RequestScanner();
  const request = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
    "5\r\nhello\r\nA;x=1\r\n0123456789\r\n0\r\nX-Trailer: y\r\n\r\nGET / HTTP/1.1\r\n\r\n";
  const events = [...request].flatMap((c) => s.push(bytes(c)));
  assert.deepEqual(events.map((e) => e.kind), ["started", "head", "end", "started", "head", "end"]);
  const whole = new RequestScanner().push(bytes(request));
  assert.deepEqual(whole.map((e) => e.kind), ["started", "head", "end", "started", "head", "end"]);
});

Deno.test("a chunked body over the limit is 413 as soon as its chunks pass it", () => {
  const s = new RequestScanner({ maxBodyBytes: 10 });
  const events = s.push(
    bytes("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n"),
  );
  assert.deepEqual(events.at(-1), {
    kind: "refuse",
    status: 413,
    reason: "request body over 10 bytes",
  });
  for (const bad of ["zz\r\n", "5\r\nhelloX\r\n"]) {
    const e = new RequestScanner().push(
      bytes(`POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${bad}`),
    );
    assert.deepEqual(e.at(-1), { kind: "refuse", status: 400, reason: "bad chunked body" }, bad);
  }
  const both = new RequestScanner().push(
    bytes("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"),
  );
  assert.equal((both.at(-1) as { status: number }).status, 400);
});

Deno.test("an upgrade makes the rest of the connection opaque", () => {
  const s = new RequestScanner();
  const events = s.push(bytes("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\nanything"));
  assert.deepEqual(events.map((e) => e.kind), ["started", "head"]);
  assert.equal(s.state, "opaque");
  assert.deepEqual(s.push(bytes("anything at all")), []);
});

Deno.test("empty lines before a request are skipped", () => {
  const s = new RequestScanner();
  assert.deepEqual(s.push(bytes("\r\n")), []);
  assert.equal(s.state, "idle");
  assert.deepEqual(s.push(bytes("GET / HTTP/1.1\r\n\r\n")).map((e) => e.kind), [
    "started",
    "head",
    "end",
  ]);
});
