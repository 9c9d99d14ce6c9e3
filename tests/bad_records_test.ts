/**
 * Malformed and duplicated records on every topic: every consumer skips (and logs) what is bad,
 * a redelivered request or end changes nothing twice, and the network keeps working.
 */
import assert from "node:assert/strict";
import { driverEvents, startNetwork, testProducer } from "./support/network.ts";
import { waitFor } from "./support/programs.ts";
import { followTopic } from "../shared/kafka/follow.ts";
import { encodeEvent, envelope, parseEvent } from "../shared/events.ts";

const flow = { sanitizeOps: false, sanitizeResources: false };

const BAD_VALUES: (string | null)[] = [
  "not json at all",
  "{",
  "[]",
  "null",
  JSON.stringify({ v: 99, id: "x", at: new Date().toISOString(), type: "supply.request" }),
  JSON.stringify({ v: 1, id: "x", at: new Date().toISOString(), type: "no.such.type" }),
  JSON.stringify({
    v: 1,
    id: "x",
    at: "yesterday",
    type: "supply.request",
    driverId: "D1",
    cpId: "CP1",
  }),
  JSON.stringify({
    v: 1,
    id: "x",
    at: new Date().toISOString(),
    type: "supply.request",
    driverId: "bad id!",
    cpId: "CP1",
    source: "driver",
  }),
  JSON.stringify({
    v: 1,
    id: "x",
    at: new Date().toISOString(),
    type: "supply.progress",
    cpId: "CP1",
    sessionId: "s",
    driverId: "D1",
    kw: -1,
    kwh: "x",
    eur: 0,
  }),
  JSON.stringify({ v: 1, id: "x", at: new Date().toISOString(), type: "network", cps: "nope" }),
  "x".repeat(200_000),
  null,
];

Deno.test("bad and duplicated records on every topic are skipped, state intact", flow, async () => {
  await using net = await startNetwork();
  const cp = await net.addCp("CP1");
  await net.waitState("CP1", "available");
  const { topics, kafka, producer } = await testProducer(net);
  const tickets: string[] = [];
  const follower = await followTopic({
    kafka,
    topic: topics.notifications,
    groupPrefix: "ev-test",
    onMessage: (m) => {
      const e = parseEvent(m.value, ["ticket"] as const);
      if (typeof e !== "string" && e.driverId === "D9") tickets.push(e.sessionId);
    },
  });
  try {
    const watcher = await net.driver("D1", []);
    await watcher.waitForLine(/"type":"network"/);
    for (const topic of Object.values(topics)) {
      for (const key of ["CP1", "D1", "network"]) {
        await producer.send({ topic, messages: BAD_VALUES.map((value) => ({ key, value })) });
      }
    }
    // what a consumer cannot apply is set aside (dead letter), never retried forever
    await net.central.waitForLine(/set aside a record of .*cp\.requests/);
    await net.central.waitForLine(/set aside a record of .*cp\.telemetry/);
    await net.central.waitForLine(/set aside a record of .*driver\.requests/);
    await net.central.waitForLine(/skipped a bad link fact/);
    await cp.engine.waitForLine(/skipped a bad command/);
    await watcher.waitForLine(/skipped a bad (notification|network view)/);

    // a request delivered twice authorizes once; an end delivered twice gives one ticket
    const request = envelope({
      type: "supply.request",
      driverId: "D9",
      cpId: "CP1",
      source: "driver",
    });
    const requestRecord = { key: "CP1", value: encodeEvent(request) };
    await producer.send({ topic: topics.requests, messages: [requestRecord, requestRecord] });
    await net.waitState("CP1", "reserved");
    const [session] = await waitFor("D9's session", async () => {
      const { body } = await net.json<Array<{ id: string }>>("GET", "/api/sessions?driver=D9");
      return body.length > 0 && body;
    });
    const now = new Date().toISOString();
    const ended = envelope({
      type: "supply.ended",
      cpId: "CP1",
      sessionId: session.id,
      driverId: "D9",
      start: now,
      end: now,
      kwh: 1.5,
      eur: 0.525,
      partial: false,
      reason: "unplugged",
    });
    const endedRecord = { key: "CP1", value: encodeEvent(ended) };
    await producer.send({ topic: topics.telemetry, messages: [endedRecord, endedRecord] });
    await waitFor("D9's ticket", () => tickets.length > 0);
    await new Promise((r) => setTimeout(r, 2000));
    assert.deepEqual(tickets, [session.id]);
    const { body: sessions } = await net.json<unknown[]>("GET", "/api/sessions?driver=D9");
    assert.equal(sessions.length, 1);

    // everyone is still up, and a normal supply still works
    assert.equal(net.central.exited, undefined);
    assert.equal(cp.engine.exited, undefined);
    assert.equal(watcher.exited, undefined);
    await net.waitState("CP1", "available");
    const d = await net.driver("D2", ["--cp", "CP1"]);
    await waitFor("D2 authorized", () => driverEvents(d).some((e) => e.type === "authorized"));
    await cp.engine.waitForLine(/ authorized: D2 /); // (D9's reservation is dropped by it)
    await cp.engine.say("I");
    await waitFor("D2 progress", () => driverEvents(d).some((e) => e.type === "progress"));
    await cp.engine.say("E");
    assert.equal((await d.done).code, 0);
  } finally {
    await follower.stop();
    await producer.disconnect();
  }
});
