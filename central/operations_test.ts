import assert from "node:assert/strict";
import { Operations, UnavailableError } from "./operations.ts";
import { World } from "./core/testing.ts";
import type { Shell } from "./shell/shell.ts";
import type { Views } from "./shell/views.ts";
import type { CpRepo } from "./db/cp_repo.ts";
import type { AuditRepo } from "./db/audit_repo.ts";

function operations(publish: () => Promise<void>, kafkaReady = true) {
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
    kafkaReady: () => kafkaReady,
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
  const notYet = operations(() => Promise.resolve(), false);
  await assert.rejects(notYet.ops.order("CP1", "STOP", by), UnavailableError);
});
