import assert from "node:assert/strict";
import { BodyTooLargeError, readBody } from "./body.ts";
import { readJson } from "./respond.ts";

/** A request whose body streams `total` bytes, counting what was pulled. */
function streaming(total: number, headers: HeadersInit = {}) {
  const pulled = { bytes: 0 };
  const chunk = new Uint8Array(16 * 1024).fill(0x20);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.bytes >= total) return controller.close();
      pulled.bytes += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { request: new Request("http://x/api/cps", { method: "POST", body, headers }), pulled };
}

Deno.test("a body over the limit is refused while it is read, never read whole", async () => {
  const { request, pulled } = streaming(128 * 1024 * 1024);
  await assert.rejects(readBody(request, 64 * 1024), (e) => {
    assert.ok(e instanceof BodyTooLargeError);
    assert.equal(e.status, 413);
    assert.equal(e.message, "request body over 65536 bytes");
    return true;
  });
  assert.ok(pulled.bytes <= 64 * 1024 + 64 * 1024, `read ${pulled.bytes} bytes`);
});

Deno.test("a body that says it is over the limit is refused before any of it is read", async () => {
  const { request, pulled } = streaming(10, { "content-length": "999999999" });
  await assert.rejects(readBody(request, 1024), BodyTooLargeError);
  assert.equal(pulled.bytes, 0);
});

Deno.test("a body within the limit is read; readJson: unreadable is undefined, too big throws", async () => {
  const ok = new Request("http://x/", { method: "POST", body: '{"id":"CP1"}' });
  assert.equal(await readBody(ok, 1024), '{"id":"CP1"}');
  assert.deepEqual(await readJson(new Request("http://x/", { method: "POST", body: " " })), {});
  assert.equal(await readJson(new Request("http://x/", { method: "POST", body: "{" })), undefined);
  assert.equal(
    await readJson(
      new Request("http://x/", { method: "POST", body: new Uint8Array([0xff, 0xfe]) }),
    ),
    undefined,
  );
  await assert.rejects(readJson(streaming(1_000_000).request, 1000), BodyTooLargeError);
  assert.equal(await readBody(new Request("http://x/"), 10), "");
});
