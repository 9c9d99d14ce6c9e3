import assert from "node:assert/strict";
import { NetworkFeed } from "./network_events.ts";
import type { Network, NetworkEvent } from "../network.ts";

/** A network of one CP whose changes the test makes. */
function fakeNetwork() {
  const listeners = new Set<(e: NetworkEvent) => void>();
  const cp = {
    id: "CP1",
    location: "Lab",
    pricePerKwh: 0.3,
    connected: true,
    engineOk: true,
    stopped: false,
    updatedAt: 0,
  };
  const network = {
    list: () => [cp],
    messages: () => [],
    subscribe: (l: (e: NetworkEvent) => void) => (listeners.add(l), () => listeners.delete(l)),
  } as unknown as Network;
  const emit = (e: NetworkEvent) => listeners.forEach((l) => l(e));
  return { network, emit };
}

const text = (bytes: Uint8Array[]) => bytes.map((b) => new TextDecoder().decode(b)).join("");

Deno.test("clients that start together share one snapshot; a later one also gets the changes since", () => {
  const { network, emit } = fakeNetwork();
  const feed = new NetworkFeed(network);
  const first = feed.start();
  const second = feed.start();
  assert.equal(first[0], second[0], "the same bytes, not a copy");
  assert.match(text(first), /^event: snapshot\ndata: \{"cps":\[\{"id":"CP1"/);
  const got: Uint8Array[] = [];
  feed.subscribe((b) => got.push(b));
  emit({ kind: "removed", id: "CP9" });
  const late = feed.start();
  assert.equal(late[0], first[0]);
  assert.equal(text(late.slice(1)), 'event: removed\ndata: {"id":"CP9"}\n\n');
  assert.equal(got[0], late[1], "each change is encoded once for everyone");
});
