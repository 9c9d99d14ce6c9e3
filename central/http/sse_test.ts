import assert from "node:assert/strict";
import { type SendEvent, type SseLimit, SseStreams } from "./sse.ts";

const decoder = new TextDecoder();

async function readSome(res: Response, n: number): Promise<string> {
  const reader = res.body!.getReader();
  let text = "";
  for (let i = 0; i < n; i++) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  await reader.cancel();
  return text;
}

Deno.test("a client that reads gets its events in order", async () => {
  const streams = new SseStreams();
  let send!: SendEvent;
  const res = streams.response(new AbortController().signal, (s) => {
    send = s;
    return () => {};
  });
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  send("cp", { id: "CP1" });
  send("cp", { id: "CP2" });
  const text = await readSome(res, 3);
  assert.equal(
    text,
    ': connected\n\nevent: cp\ndata: {"id":"CP1"}\n\nevent: cp\ndata: {"id":"CP2"}\n\n',
  );
  assert.equal(streams.open, 0, "a cancelled stream is let go");
});

Deno.test("streams beyond maxSubscribers are refused with 503 and a JSON error", async () => {
  const limits: SseLimit[] = [];
  const streams = new SseStreams({ maxSubscribers: 2, onLimit: (l) => limits.push(l) });
  const abort = new AbortController();
  const open = [1, 2].map(() => streams.response(abort.signal, () => () => {}));
  const refused = streams.response(abort.signal, () => () => {});
  assert.equal(refused.status, 503);
  assert.deepEqual(await refused.json(), { error: "too many event streams open (at most 2)" });
  assert.deepEqual(limits, ["sse-subscribers"]);
  assert.equal(streams.open, 2);
  abort.abort();
  assert.equal(streams.open, 0);
  for (const res of open) await res.body!.cancel();
});

Deno.test("a client that does not read is dropped once its queue is over maxQueuedBytes", async () => {
  const limits: SseLimit[] = [];
  const streams = new SseStreams({ maxQueuedBytes: 64 * 1024, onLimit: (l) => limits.push(l) });
  let send!: SendEvent;
  let unsubscribed = false;
  const res = streams.response(new AbortController().signal, (s) => {
    send = s;
    return () => (unsubscribed = true);
  });
  const big = { text: "x".repeat(10_000) };
  for (let i = 0; i < 100 && !unsubscribed; i++) send("cp", big);
  assert.ok(unsubscribed, "the slow client is unsubscribed");
  assert.deepEqual(limits, ["sse-slow"]);
  assert.equal(streams.open, 0);
  await res.body!.cancel();
});

Deno.test("one big first event (a snapshot) is not a slow client", async () => {
  const streams = new SseStreams({ maxQueuedBytes: 1024 });
  let unsubscribed = false;
  const res = streams.response(new AbortController().signal, (send) => {
    send("snapshot", { cps: "x".repeat(100_000) });
    return () => (unsubscribed = true);
  });
  assert.equal(unsubscribed, false);
  assert.match(await readSome(res, 2), /event: snapshot/);
});

Deno.test("a client whose queue waits longer than maxStallMs is dropped", async () => {
  const limits: SseLimit[] = [];
  const streams = new SseStreams({ maxStallMs: 100, onLimit: (l) => limits.push(l) });
  let send!: SendEvent;
  let unsubscribed = false;
  const res = streams.response(new AbortController().signal, (s) => {
    send = s;
    return () => (unsubscribed = true);
  });
  send("cp", { id: 1 });
  send("cp", { id: 2 });
  await new Promise((r) => setTimeout(r, 150));
  send("cp", { id: 3 });
  assert.ok(unsubscribed);
  assert.deepEqual(limits, ["sse-slow"]);
  await res.body!.cancel();
});
