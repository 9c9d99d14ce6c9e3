import assert from "node:assert/strict";
import { NetworkFeed } from "./network_events.ts";
import type { ViewBatch, Views } from "../shell/views.ts";

/** Views of one CP whose changes the test makes. */
function fakeViews() {
  const listeners = new Set<(b: ViewBatch) => void>();
  const cp = {
    id: "CP1",
    location: "Lab",
    pricePerKwh: 0.3,
    state: "available" as const,
    updatedAt: new Date(0).toISOString(),
  };
  const views = {
    list: () => [cp],
    messages: () => [],
    subscribe: (l: (b: ViewBatch) => void) => (listeners.add(l), () => listeners.delete(l)),
  } as unknown as Views;
  const emit = (b: ViewBatch) => listeners.forEach((l) => l(b));
  return { views, emit };
}

const text = (bytes: Uint8Array[]) => bytes.map((b) => new TextDecoder().decode(b)).join("");

Deno.test("clients that start together share one snapshot; a later one also gets the changes since", () => {
  const { views, emit } = fakeViews();
  const feed = new NetworkFeed(views);
  const first = feed.start();
  const second = feed.start();
  assert.equal(first[0], second[0], "the same bytes, not a copy");
  assert.match(text(first), /^event: snapshot\ndata: \{"cps":\[\{"id":"CP1"/);
  const got: Uint8Array[] = [];
  feed.subscribe((b) => got.push(b));
  emit({ cps: [], removed: ["CP9"], messages: [] });
  const late = feed.start();
  assert.equal(late[0], first[0]);
  assert.equal(text(late.slice(1)), 'event: removed\ndata: {"id":"CP9"}\n\n');
  assert.equal(got[0], late[1], "each change is encoded once for everyone");
});
