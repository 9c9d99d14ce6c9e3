import assert from "node:assert/strict";
import { Operations, UnavailableError } from "./operations.ts";
import { World } from "./core/testing.ts";
import type { Shell } from "./shell/shell.ts";
import type { Views } from "./shell/views.ts";
import type { CpRepo } from "./db/cp_repo.ts";
import type { AuditRepo } from "./db/audit_repo.ts";

function operations(publish: () => Promise<void>, connected = Promise.resolve()) {
  const w = new World();
  w.cp("CP1");
  const audited: string[] = [];
  const ops = new Operations({
    shell: { state: w.state } as unknown as Shell,
    views: {} as Views,
    cps: {} as CpRepo,
    audit: {
      record: (e: { action: string }) => (audited.push(e.action), Promise.resolve()),
    } as unknown as AuditRepo,
    publish,
    kafkaConnected: () => connected,
    sendTimeoutMs: 100,
  });
  return { ops, audited };
}

const by = { actor: "operator", source: "test" };

Deno.test("an order is answered once its owner has it on Kafka, with the view it will have", async () => {
  const { ops, audited } = operations(() => Promise.resolve());
  const view = await ops.order("CP1", "STOP", by);
  assert.equal(view?.state, "stopped");
  assert.deepEqual(audited, ["stop CP1"]);
  assert.equal(await ops.order("NOPE", "STOP", by), undefined);
});

Deno.test("an order Kafka cannot take is refused (503), never acknowledged", async () => {
  const down = operations(() => Promise.reject(new Error("broker away")));
  await assert.rejects(down.ops.order("CP1", "STOP", by), UnavailableError);
  assert.deepEqual(down.audited, [], "not recorded as done");
  // a producer that never connects: told to try again once the wait is over
  const never = operations(() => Promise.resolve(), new Promise(() => {}));
  await assert.rejects(never.ops.order("CP1", "STOP", by), UnavailableError);
  assert.deepEqual(never.audited, []);
});

Deno.test("an order just after a restart waits for the producer, then goes", async () => {
  const { promise, resolve } = Promise.withResolvers<void>();
  let published = 0;
  const soon = operations(() => (published++, Promise.resolve()), promise);
  const order = soon.ops.order("CP1", "STOP", by);
  setTimeout(resolve, 20);
  assert.equal((await order)?.state, "stopped");
  assert.equal(published, 1);
  assert.deepEqual(soon.audited, ["stop CP1"]);
});
