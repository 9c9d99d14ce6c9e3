/**
 * Central as two instances on one PostgreSQL server and one broker (BRIEF §4): six CPs whose
 * Monitors list both, a supply on every CP, one instance killed (SIGKILL) mid-supply; every
 * supply ends with exactly one ticket, on the topic and at its own driver, no lower than its
 * telemetry; both APIs agree on every CP before and after; the killed instance comes back and
 * breaks nothing; then the same with the other one killed.
 */
import assert from "node:assert/strict";
import {
  driverEvents,
  plugIn,
  startNetwork,
  type TestCp,
  waitForEvents,
} from "./support/network.ts";
import { freePort, type Program, waitFor } from "./support/programs.ts";
import { readTopic } from "./support/topic_reader.ts";
import { topicNames } from "../shared/topics.ts";

const flow = { sanitizeOps: false, sanitizeResources: false };
const CPS = ["CP1", "CP2", "CP3", "CP4", "CP5", "CP6"];

Deno.test(
  "instances: kill either Central mid-supply, lose nothing, double nothing",
  flow,
  async (t) => {
    await using net = await startNetwork({ postgres: true });
    const a = { program: net.central, http: net.httpPort, cp: net.cpPort };
    let b = await net.startInstance("B");
    const instances = { A: a, B: b };
    const cps: TestCp[] = [];
    for (const [i, id] of CPS.entries()) {
      // half of the Monitors know A first, half B first
      const ports = i % 2 === 0 ? [a.cp, b.cp] : [b.cp, a.cp];
      cps.push(await net.addCp(id, undefined, [], ports));
    }
    const agree = async (state: string) => {
      for (const id of CPS) {
        for (const port of [a.http, b.http]) await net.waitState(id, state, 40_000, port);
      }
    };
    await agree("available");

    const round = async (killed: "A" | "B", suffix: string) => {
      const victim = instances[killed];
      const survivor = killed === "A" ? instances.B : instances.A;
      const drivers: Program[] = [];
      for (const cp of cps) {
        drivers.push(
          await net.driver(`D${suffix}${cp.id}`, ["--cp", cp.id, "--timeout", "90"]),
        );
      }
      for (const d of drivers) await waitForEvents(d, "authorized", 1, 30_000);
      for (const cp of cps) await plugIn(cp.engine);
      for (const id of CPS) await net.waitState(id, "charging", 20_000, survivor.http);
      for (const d of drivers) await waitForEvents(d, "progress", 2, 20_000);
      await victim.program.kill();
      // the survivor takes the CPs over; their supplies go on (nothing interrupted)
      await new Promise((r) => setTimeout(r, 9_000));
      for (const id of CPS) {
        assert.equal(
          await net.state(id, survivor.http),
          "charging",
          `${id} after the kill`,
        );
      }
      for (const cp of cps) await cp.engine.say("E");
      for (const [i, d] of drivers.entries()) {
        const status = await d.done;
        assert.equal(status.code, 0, `${d.name}: ${d.lines.slice(-5).join(" | ")}`);
        const events = driverEvents(d);
        const tickets = events.filter((e) => e.type === "ticket");
        assert.equal(tickets.length, 1, `${d.name} printed ${tickets.length} tickets`);
        assert.equal(tickets[0].cp, CPS[i]);
        // nothing of another driver's supply reached this driver
        for (const e of events.filter((e) => e.type === "progress" || e.type === "authorized")) {
          assert.equal(e.cp, CPS[i], `${d.name} was shown ${JSON.stringify(e)}`);
          assert.equal(e.sessionId, tickets[0].sessionId);
        }
        const kwh = events.filter((e) => e.type === "progress").map((e) => Number(e.kwh));
        assert.ok(
          Number(tickets[0].kwh) >= Math.max(...kwh) - 1e-9,
          `${d.name}: ticket below telemetry`,
        );
        const stored = await net.sessionsOf(d.name.replace("driver ", ""), survivor.http);
        assert.equal(stored.length, 1);
      }
      await agreeAt(survivor.http, "available");
    };
    const agreeAt = async (port: number, state: string) => {
      for (const id of CPS) await net.waitState(id, state, 40_000, port);
    };

    await t.step("instance A killed mid-supply", async () => {
      await round("A", "a");
      instances.A = await net.startInstance("A2", { http: a.http, cp: a.cp });
      await agree("available");
    });

    await t.step("instance B killed mid-supply", async () => {
      await round("B", "b");
      b = await net.startInstance("B2", { http: b.http, cp: b.cp });
      instances.B = b;
      await agree("available");
    });

    await t.step("exactly one ticket per supply reached the topic", async () => {
      const topics = topicNames(net.env.EV_TOPIC_PREFIX);
      const tickets = await readTopic(net.env.EV_KAFKA, topics.notifications, ["ticket"] as const);
      const first = tickets.filter((t) => !t.resent);
      const sessions = new Set(first.map((t) => t.sessionId));
      assert.equal(sessions.size, 12, "12 supplies");
      assert.equal(first.length, 12, `${first.length} tickets for 12 supplies`);
    });
  },
);

Deno.test(
  "instances: a Monitor listing A,B while A is down registers through B",
  flow,
  async () => {
    await using net = await startNetwork({ postgres: true });
    const b = await net.startInstance("B");
    const enrolled = await net.fetch("POST", "/api/cps", {
      id: "CP1",
      location: "Lab",
      pricePerKwh: 0.35,
      secret: "s1",
    });
    assert.equal(enrolled.status, 201);
    await net.central.kill();
    const enginePort = freePort();
    await net.startEngine("CP1", enginePort);
    const monitor = await net.startMonitor("CP1", "s1", enginePort, [net.cpPort, b.cp]);
    await net.waitState("CP1", "available", 40_000, b.http);
    await waitFor(
      "the Monitor to say where it registered",
      () => monitor.lines.some((l) => l.includes(`registered with Central at 127.0.0.1:${b.cp}`)),
    );
  },
);
