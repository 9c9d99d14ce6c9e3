import assert from "node:assert/strict";
import { startMonitorLinks } from "./monitor_links.ts";
import { FramedLink } from "../../shared/protocol/link.ts";
import { Metrics } from "../../shared/metrics.ts";
import { hashSecret } from "../secrets.ts";
import type { CpRepo, CpRow } from "../db/cp_repo.ts";
import type { AuditRepo } from "../db/audit_repo.ts";

Deno.test("an AUTH that Central is slow to check keeps its link: Central's wait is not the Monitor's", async () => {
  const row: CpRow = {
    id: "CP1",
    location: "Lab",
    pricePerKwh: 0.3,
    secretHash: await hashSecret("s3cret"),
  } as CpRow;
  // a lookup slower than the 5 s a new connection has to send its AUTH (a registration burst)
  const cps = {
    get: (id: string) =>
      new Promise((r) => setTimeout(() => r(id === "CP1" ? row : undefined), 6_500)),
    updateDetails: () => Promise.resolve(),
  } as unknown as Pick<CpRepo, "get" | "updateDetails">;
  const facts: string[] = [];
  const server = startMonitorLinks({
    hostname: "127.0.0.1",
    port: 0,
    instance: "test",
    cps,
    audit: { record: () => Promise.resolve() } as unknown as AuditRepo,
    metrics: new Metrics(),
    tell: (fact) => void facts.push(fact.type),
    stateOf: () => "available",
    message: () => {},
  });
  const link = new FramedLink(
    await Deno.connect({ hostname: "127.0.0.1", port: (server.addr as Deno.NetAddr).port }),
  );
  try {
    const reply = await link.request({
      type: "AUTH",
      cpId: "CP1",
      secret: "s3cret",
      location: "",
      pricePerKwh: undefined,
      health: "OK",
    }, { timeoutMs: 15_000 });
    assert.equal(reply.type, "ACK", JSON.stringify(reply));
    assert.deepEqual(facts, ["link.up"]);
  } finally {
    link.close();
    await link.closed;
    await server.close();
  }
});
