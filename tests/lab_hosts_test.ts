/**
 * The README's lab guide, played on five PCs: network namespaces with addresses of their own
 * (broker PC, central PC, two CP PCs, a driver PC), each with its own copy of the repository and
 * its `.env`, every program started there with the guide's commands. A full supply, an Engine
 * fault mid-supply and a Central crash mid-supply run across them. Where namespaces cannot be
 * made (not root, no `ip`), it says why and does not run; CI runs as root, and runs it.
 */
import assert from "node:assert/strict";
import { Lab, labUnavailable, OPERATOR, type Pc, SUBNET } from "./support/lab.ts";
import { type Program, waitFor } from "./support/programs.ts";

const unavailable = labUnavailable();
if (unavailable) console.log(`lab_hosts_test: not run: ${unavailable}`);

const TOKEN = "lab-operator-token";
const BROKER = `${SUBNET}.10`;
const CENTRAL = `${SUBNET}.20`;

type Event = Record<string, unknown> & { type: string };
const events = (p: Program): Event[] =>
  p.stdout.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
const waitEvents = (p: Program, type: string, n = 1, timeoutMs = 60_000) =>
  waitFor(`${p.name}: ${n} ${type}`, () => {
    const found = events(p).filter((e) => e.type === type);
    return found.length >= n && found;
  }, timeoutMs);

/** Central's API, from the operator's laptop on the lab's switch. */
async function api<T>(path: string): Promise<T> {
  const res = await fetch(`http://${CENTRAL}:8080${path}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    signal: AbortSignal.timeout(5_000),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return await res.json() as T;
}

async function waitState(cp: string, state: string, timeoutMs = 60_000) {
  let last = "";
  await waitFor(`${cp} to be ${state}`, async () => {
    last = (await api<{ state: string }>(`/api/cps/${cp}`).catch(() => ({ state: "?" }))).state;
    return last === state;
  }, timeoutMs).catch(() => {
    throw new Error(`${cp} is '${last}', not '${state}'`);
  });
}

/** The car plugged in at an Engine once it holds its authorization (`I`). */
async function plugIn(engine: Program) {
  const count = (re: RegExp) => engine.lines.filter((l) => re.test(l)).length;
  await waitFor(
    `${engine.name} to hold an authorization`,
    () => count(/ authorized: /) > count(/ supplying /),
  );
  await engine.say("I");
}

Deno.test({
  name: "lab: five PCs on their own addresses, the README's commands, supply, fault, Central crash",
  ignore: unavailable !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using lab = await Lab.create();
    const kafka = `${BROKER}:9092`;
    const broker = await lab.addPc("broker", 10, {
      EV_KAFKA: "0.0.0.0:9092",
      EV_KAFKA_ADVERTISE: BROKER,
    });
    const central = await lab.addPc("central", 20, { EV_KAFKA: kafka, EV_OPERATOR_TOKEN: TOKEN });
    const cpPc = async (id: string, host: number) =>
      await lab.addPc(id.toLowerCase(), host, {
        EV_KAFKA: kafka,
        EV_CENTRAL: `${CENTRAL}:7000`,
        EV_CP_ID: id,
        EV_CP_SECRET: `s3cret-${id}`,
      });
    const alc1 = await cpPc("ALC1", 31);
    const alc2 = await cpPc("ALC2", 32);
    const drivers = await lab.addPc("driver", 40, { EV_KAFKA: kafka, EV_DRIVER_ID: "DRV-101" });

    // broker PC: deno task kafka
    const kafkaProgram = lab.run(broker, "kafka", []);
    await kafkaProgram.waitForLine(/broker ready at 10\.77\.0\.10:9092/, 180_000);
    // central PC: deno task central; deno task central -- enroll ALC1 --location … --price 0.35 --secret …
    const startCentral = async () => {
      const c = lab.run(central, "central", []);
      await c.waitForLine(/dashboard: /, 120_000);
      return c;
    };
    await startCentral();
    for (const [id, location] of [["ALC1", "Alicante Centro"], ["ALC2", "Alicante Puerto"]]) {
      const enroll = lab.run(central, "central", [
        "--",
        "enroll",
        id,
        "--location",
        location,
        "--price",
        "0.35",
        "--secret",
        `s3cret-${id}`,
      ]);
      assert.equal((await enroll.done).code, 0, enroll.lines.join("\n"));
    }
    // CP PCs: deno task engine; deno task monitor
    const engines = new Map<Pc, Program>();
    for (const pc of [alc1, alc2]) {
      const engine = lab.run(pc, "engine", []);
      await engine.waitForLine(/listening for its Monitor on 0\.0\.0\.0:7100/, 60_000);
      engines.set(pc, engine);
      lab.run(pc, "monitor", []);
    }
    await waitState("ALC1", "available");
    await waitState("ALC2", "available");
    const registered = await api<Array<{ id: string; location: string }>>("/api/cps");
    assert.deepEqual(registered.map((c) => c.id).sort(), ["ALC1", "ALC2"]);

    // a full supply: driver PC → broker PC → central PC → CP PC and back
    const d1 = lab.run(drivers, "driver", ["--cp", "ALC1", "--json"], "driver: DRV-101");
    await waitEvents(d1, "authorized");
    await plugIn(engines.get(alc1)!);
    const progress = await waitEvents(d1, "progress", 3);
    await engines.get(alc1)!.say("E");
    assert.equal((await d1.done).code, 0, d1.lines.slice(-5).join("\n"));
    const [ticket] = events(d1).filter((e) => e.type === "ticket");
    assert.ok(Number(ticket.kwh) >= Number(progress.at(-1)!.kwh) - 1e-9);
    assert.equal(ticket.partial, false);
    await waitState("ALC1", "available");

    // an Engine fault mid-supply: a partial ticket, the CP faulted, then back
    const d2 = lab.run(
      drivers,
      "driver",
      ["--id", "DRV-202", "--cp", "ALC2", "--json"],
      "driver: DRV-202",
    );
    await waitEvents(d2, "authorized");
    await plugIn(engines.get(alc2)!);
    await waitEvents(d2, "progress", 2);
    await engines.get(alc2)!.say("F");
    await waitState("ALC2", "faulted", 15_000);
    assert.equal((await d2.done).code, 0);
    const faultTickets = events(d2).filter((e) => e.type === "ticket");
    assert.equal(faultTickets.length, 1);
    assert.equal(faultTickets[0].partial, true);
    await engines.get(alc2)!.say("R");
    await waitState("ALC2", "available");

    // Central's PC loses its power mid-supply; the supply goes on, ends, and is billed once
    const d3 = lab.run(
      drivers,
      "driver",
      ["--id", "DRV-303", "--cp", "ALC1", "--json"],
      "driver: DRV-303",
    );
    await waitEvents(d3, "authorized");
    await plugIn(engines.get(alc1)!);
    await waitEvents(d3, "progress", 2);
    await lab.crash(central);
    await new Promise((r) => setTimeout(r, 3_000));
    await engines.get(alc1)!.say("E");
    await new Promise((r) => setTimeout(r, 1_000));
    await startCentral();
    assert.equal((await d3.done).code, 0, d3.lines.slice(-5).join("\n"));
    assert.equal(events(d3).filter((e) => e.type === "ticket").length, 1);
    const sessions = await api<Array<{ status: string }>>("/api/sessions?driver=DRV-303");
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0].status, "ended");
    await waitState("ALC1", "available");
    await waitState("ALC2", "available");
    console.log(`lab of ${lab.pcs.size} PCs on ${SUBNET}.0/24 (operator at ${OPERATOR})`);
  },
});
