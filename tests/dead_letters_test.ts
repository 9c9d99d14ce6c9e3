/**
 * Records a consumer cannot apply never halt it (BRIEF §1 "Dead letters", §8): on every topic
 * Central consumes, records that fail the checks, and on `cp.requests` one that passes them but
 * that the database refuses (an id over 100 characters); then a full supply, a restart of
 * Central (the records are not met again) and another supply: both get their tickets; the
 * records are on `<prefix>dead-letter` with their reason and origin, and counted in /metrics.
 */
import assert from "node:assert/strict";
import {
  driverEvents,
  KAFKA,
  plugIn,
  startNetwork,
  testProducer,
  waitForEvents,
} from "./support/network.ts";
import { waitFor } from "./support/programs.ts";
import { readTopic } from "./support/topic_reader.ts";
import { encodeEvent, envelope } from "../shared/events.ts";

const flow = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "dead letters: what cannot be applied is set aside, counted, and never met again",
  flow,
  async () => {
    await using net = await startNetwork();
    const cp = await net.addCp("CP1");
    await net.waitState("CP1", "available");
    const { topics, producer } = await testProducer(net);
    try {
      // passes every check, but its id is longer than the database keeps: refused there
      const refused = envelope(
        { type: "supply.request", driverId: "DX", cpId: "CP1", source: "driver" },
        "r".repeat(300),
      );
      const invalid = { key: "CP1", value: '{"v":1,"type":"supply.progress"}' };
      await producer.send({
        topic: topics.requests,
        messages: [{ key: "CP1", value: encodeEvent(refused) }, invalid],
      });
      await producer.send({ topic: topics.telemetry, messages: [invalid] });
      await producer.send({ topic: topics.driverRequests, messages: [{ key: "DX", value: "{" }] });
      await net.central.waitForLine(
        /set aside a record of .*cp\.requests.*sessions_id_length/,
        30_000,
      );
      await net.central.waitForLine(/set aside a record of .*cp\.telemetry/);
      await net.central.waitForLine(/set aside a record of .*driver\.requests/);
      const metrics = await (await net.fetch("GET", "/metrics")).text();
      assert.match(metrics, /ev_dead_letters_total\{topic="[^"]*cp\.requests"\} 2/);
      assert.match(metrics, /ev_dead_letters_total\{topic="[^"]*cp\.telemetry"\} 1/);

      const supply = async (driver: string) => {
        await net.waitState("CP1", "available");
        const d = await net.driver(driver, ["--cp", "CP1"]);
        await waitForEvents(d, "authorized");
        await plugIn(cp.engine);
        await waitForEvents(d, "progress", 2);
        await cp.engine.say("E");
        assert.equal((await d.done).code, 0, d.lines.slice(-5).join(" | "));
        assert.equal(driverEvents(d).filter((e) => e.type === "ticket").length, 1);
      };
      await supply("D1");
      await net.central.stop();
      await net.startCentral();
      await supply("D2");
      // committed: the restarted Central did not meet them again
      assert.ok(!net.central.lines.some((l) => /set aside/.test(l)), "records met again");

      const letters = await waitFor("the dead letters", async () => {
        const found = await readTopic(KAFKA, topics.deadLetter, ["dead.letter"] as const);
        return found.length >= 4 && found;
      });
      const refusedLetter = letters.find((l) =>
        l.topic === topics.requests && /sessions_id_length/.test(l.reason)
      );
      assert.ok(refusedLetter, JSON.stringify(letters.map((l) => [l.topic, l.reason])));
      assert.equal(typeof refusedLetter.offset, "string");
      assert.ok(refusedLetter.value.includes("r".repeat(300)));
      assert.ok(letters.some((l) => l.topic === topics.telemetry));
      assert.ok(letters.some((l) => l.topic === topics.driverRequests));
    } finally {
      await producer.disconnect();
    }
  },
);
