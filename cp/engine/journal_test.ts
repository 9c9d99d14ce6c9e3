import assert from "node:assert/strict";
import { Journal, type Kept, parseKept } from "./journal.ts";
import { Engine } from "./engine.ts";

const supply = {
  sessionId: "s1",
  driverId: "D1",
  pricePerKwh: 0.3,
  phase: "charging" as const,
  authorizedAt: 1_700_000_000_000,
  startedAt: 1_700_000_001_000,
  kw: 7,
  kwh: 1.5,
  eur: 0.45,
};
const end = {
  sessionId: "s0",
  driverId: "D1",
  start: 1_700_000_000_000,
  end: 1_700_000_100_000,
  kwh: 2,
  eur: 0.6,
  partial: false,
  reason: "unplugged" as const,
};

async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ev-journal-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function quietJournal(file: string): { journal: Journal; said: string[] } {
  const said: string[] = [];
  return { journal: new Journal(file, { warn: (m) => said.push(m) }), said };
}

Deno.test("the journal keeps what it is given, and forgets it when there is nothing to keep", async () => {
  await inTempDir(async (dir) => {
    const file = `${dir}/engine.json`;
    const { journal, said } = quietJournal(file);
    assert.deepEqual(await journal.read(), { pendingEnds: [] }, "no file: nothing kept");
    const kept: Kept = { supply, pendingEnds: [end] };
    journal.write(kept);
    assert.deepEqual(await journal.read(), kept);
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name),
      ["engine.json"],
      "no temporary file is left",
    );
    journal.write({ pendingEnds: [] });
    await assert.rejects(Deno.stat(file), Deno.errors.NotFound);
    assert.deepEqual(said, []);
  });
});

Deno.test("a torn or malformed journal is set aside with a clear message, and nothing is kept", async () => {
  const cases: Record<string, string> = {
    "torn": JSON.stringify({ supply, pendingEnds: [end] }).slice(0, 40),
    "garbage": "\x00\x01garbage",
    "empty": "",
    "not an object": "[1, 2]",
    "supply without figures": JSON.stringify({ supply: { sessionId: "x" }, pendingEnds: [] }),
    "ends not a list": JSON.stringify({ pendingEnds: "lots" }),
    "an end of another shape": JSON.stringify({ pendingEnds: [1] }),
    "an end with a bad reason": JSON.stringify({ pendingEnds: [{ ...end, reason: "boom" }] }),
    "a negative kWh": JSON.stringify({ supply: { ...supply, kwh: -1 }, pendingEnds: [] }),
    "a bad driver id": JSON.stringify({
      supply: { ...supply, driverId: "D 1\x1b" },
      pendingEnds: [],
    }),
  };
  for (const [what, content] of Object.entries(cases)) {
    await inTempDir(async (dir) => {
      const file = `${dir}/engine.json`;
      await Deno.writeTextFile(file, content);
      const { journal, said } = quietJournal(file);
      assert.deepEqual(await journal.read(), { pendingEnds: [] }, what);
      assert.equal(await Deno.readTextFile(`${file}.bad`), content, `${what}: set aside as it was`);
      await assert.rejects(Deno.stat(file), Deno.errors.NotFound);
      assert.equal(said.length, 1, what);
      assert.match(
        said[0],
        /engine\.json.*(unreadable|malformed).*set aside as .*engine\.json\.bad/,
      );
    });
  }
});

Deno.test("parseKept says what is wrong with a journal", () => {
  assert.match(parseKept({ supply: { ...supply, phase: "flying" } }) as string, /supply/);
  assert.match(
    parseKept({ pendingEnds: [{ ...end, start: "then" }] }) as string,
    /pendingEnds\[0\]/,
  );
  assert.deepEqual(parseKept({ pendingEnds: [] }), { pendingEnds: [] });
  assert.deepEqual(
    parseKept({ supply: { ...supply, phase: "authorized", startedAt: undefined } }),
    {
      supply: { ...supply, phase: "authorized", startedAt: undefined },
      pendingEnds: [],
    },
  );
});

Deno.test("an Engine whose journal is malformed starts, and says so", async () => {
  await inTempDir(async (dir) => {
    const file = `${dir}/engine-CP1.json`;
    await Deno.writeTextFile(file, JSON.stringify({ supply: { sessionId: 5 }, pendingEnds: [7] }));
    const engine = new Engine({ id: "CP1", maxKw: 22, stateFile: file });
    try {
      await engine.start();
      assert.equal(engine.supply, undefined);
      assert.deepEqual(engine.pendingEnds, []);
      assert.ok(await Deno.stat(`${file}.bad`));
    } finally {
      engine.stop();
    }
  });
});
