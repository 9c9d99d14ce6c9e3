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

Deno.test("a connection that sends no AUTH is closed after 5 s of Central's on-time, not its lateness", async () => {
  // Central late for its first 3 s of every wait (a loaded Central: the AUTH may be unread)
  const lateMs = 3_000;
  const server = startMonitorLinks({
    hostname: "127.0.0.1",
    port: 0,
    instance: "test",
    cps: {} as Pick<CpRepo, "get" | "updateDetails">,
    audit: { record: () => Promise.resolve() } as unknown as AuditRepo,
    metrics: new Metrics(),
    tell: () => {},
    stateOf: () => "available",
    message: () => {},
    quietSince: (since) => Math.max(0, performance.now() - since - lateMs),
  });
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: (server.addr as Deno.NetAddr).port,
  });
  const opened = performance.now();
  try {
    // a read ends (null) when Central closes the connection
    const closedAfter = conn.read(new Uint8Array(16)).then(() => performance.now() - opened);
    const early = await Promise.race([
      closedAfter,
      new Promise<"open">((r) => setTimeout(() => r("open"), 6_500)),
    ]);
    assert.equal(early, "open", "closed within 6.5 s: Central's late 3 s were counted");
    const ms = await closedAfter;
    assert.ok(ms >= 7_900 && ms < 15_000, `closed after ${Math.round(ms)} ms`);
  } finally {
    conn.close();
    await server.close();
  }
});
