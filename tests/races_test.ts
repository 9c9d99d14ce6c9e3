/**
 * Races and clocks at Central's edges (issue 11), with the real programs: a driver whose clock
 * is minutes slow is answered (requests are aged by the broker's time, never the driver's); a
 * time far in the future is refused at the edge; two AUTH frames on one link register it once;
 * a link that closes while its AUTH is checked leaves its CP disconnected.
 */
import assert from "node:assert/strict";
import { startNetwork, testProducer } from "./support/network.ts";
import { waitFor } from "./support/programs.ts";
import { followTopic } from "../shared/kafka/follow.ts";
import { encodeEvent, envelope, parseEvent } from "../shared/events.ts";
import { encodeFrame } from "../shared/protocol/frame.ts";

const flow = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "races and clocks: slow driver clocks, future times, double AUTH, AUTH cut short",
  flow,
  async (t) => {
    await using net = await startNetwork();
    const cp = await net.addCp("CP1");
    await net.waitState("CP1", "available");
    const { topics, kafka, producer } = await testProducer(net);
    const answers: Array<{ type: string; driverId: string }> = [];
    const follower = await followTopic({
      kafka,
      topic: topics.notifications,
      groupPrefix: "ev-test-races",
      onMessage: (m) => {
        const e = parseEvent(m.value, ["authorized", "denied"] as const);
        if (typeof e !== "string") answers.push(e);
      },
    });
    const ask = async (driverId: string, at: string) => {
      const e = {
        ...envelope({ type: "supply.request", driverId, cpId: "CP1", source: "driver" }),
        at,
      };
      await producer.send({
        topic: topics.requests,
        messages: [{ key: "CP1", value: encodeEvent(e) }],
      });
    };
    try {
      await t.step("a driver whose clock is ten minutes slow is answered", async () => {
        await ask("SLOW", new Date(Date.now() - 10 * 60_000).toISOString());
        await waitFor("SLOW's answer", () => answers.some((a) => a.driverId === "SLOW"), 20_000);
        assert.equal(answers.find((a) => a.driverId === "SLOW")!.type, "authorized");
        await cp.engine.waitForLine(/ authorized: SLOW /);
        // released, so the CP is free again
        await net.fetch("POST", "/api/cps/CP1/stop");
        await net.waitState("CP1", "stopped");
        await net.fetch("POST", "/api/cps/CP1/resume");
        await net.waitState("CP1", "available", 15_000);
      });

      await t.step("a time far in the future is refused at the edge and set aside", async () => {
        await ask("FUTURE", new Date(Date.now() + 3 * 24 * 3600_000).toISOString());
        await net.central.waitForLine(
          /set aside a record of .*cp\.requests.*: envelope without id or at/,
        );
        await new Promise((r) => setTimeout(r, 1_000));
        assert.ok(!answers.some((a) => a.driverId === "FUTURE"));
      });

      await t.step("two AUTH frames on one link: registered once, the second refused", async () => {
        await cp.monitor.stop();
        await net.waitState("CP1", "disconnected", 10_000);
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: net.cpPort });
        try {
          const auth = (seq: number) => encodeFrame(`AUTH#${seq}#CP1#${cp.secret}#Lab-CP1##OK`);
          await conn.write(new Uint8Array([...auth(1), ...auth(2)]));
          const text = await readReplies(conn, 2);
          assert.match(text, /ACK#1#/);
          assert.match(text, /NACK#2#(authentication in progress|already authenticated)/);
        } finally {
          conn.close();
        }
        await net.waitState("CP1", "disconnected", 10_000);
      });

      await t.step(
        "a link closed while its AUTH is checked leaves the CP disconnected",
        async () => {
          for (let i = 0; i < 20; i++) {
            const conn = await Deno.connect({ hostname: "127.0.0.1", port: net.cpPort });
            await conn.write(encodeFrame(`AUTH#1#CP1#${cp.secret}#Lab-CP1##OK`));
            conn.close();
          }
          await new Promise((r) => setTimeout(r, 2_000));
          assert.equal(await net.state("CP1"), "disconnected");
          cp.monitor = await net.startMonitor("CP1", cp.secret, cp.enginePort);
          await net.waitState("CP1", "available", 30_000);
        },
      );
    } finally {
      await follower.stop();
      await producer.disconnect();
    }
  },
);

/** Reads until `n` replies (ACK/NACK frames) came, or 5 s passed; returns what was read. */
async function readReplies(conn: Deno.TcpConn, n: number): Promise<string> {
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(4096);
  let text = "";
  const deadline = Date.now() + 5_000;
  while ((text.match(/ACK#/g) ?? []).length < n && Date.now() < deadline) {
    const got = await Promise.race([
      conn.read(buffer),
      new Promise<null>((r) => setTimeout(() => r(null), 500)),
    ]);
    if (got) text += decoder.decode(buffer.subarray(0, got));
  }
  return text;
}
