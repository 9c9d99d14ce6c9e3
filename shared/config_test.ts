import assert from "node:assert/strict";
import {
  ConfigError,
  HelpRequested,
  loadConfig,
  type NumberRange,
  parseHostPort,
  parseNumber,
  type ProgramSpec,
} from "./config.ts";
import { RANGES } from "./settings.ts";

const spec = {
  usage: "deno task demo",
  summary: "demo",
  settings: {
    port: { env: "EV_PORT", default: "7000", help: "port" },
    kafka: { env: "EV_KAFKA", default: "127.0.0.1:9092", help: "kafka" },
    db: { env: "DATABASE_URL", help: "db" },
    json: { help: "json", boolean: true },
  },
  positional: ["port", "kafka", "db"],
  commands: { "enroll <id>": "enroll" },
} satisfies ProgramSpec<string>;
const noFile = "/nonexistent/.env";

Deno.test("a flag beats the environment, which beats .env, which beats the default", async () => {
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(file, "EV_PORT=1\nEV_KAFKA=file:1\n");
    const cfg = loadConfig(spec, {
      args: ["--port", "3"],
      env: { EV_KAFKA: "env:1" },
      envFile: file,
    });
    assert.equal(cfg.values.port, "3");
    assert.equal(cfg.values.kafka, "env:1");
    assert.equal(loadConfig(spec, { args: [], env: {}, envFile: file }).values.port, "1");
    assert.equal(loadConfig(spec, { args: [], env: {}, envFile: noFile }).values.port, "7000");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("a leading -- (deno task x -- ...) is dropped", () => {
  const cfg = loadConfig(spec, { args: ["--", "--port", "9", "--json"], env: {}, envFile: noFile });
  assert.equal(cfg.values.port, "9");
  assert.equal(cfg.flags.json, true);
});

Deno.test("the original positional form is accepted", () => {
  const cfg = loadConfig(spec, {
    args: ["7001", "h:9092", "postgres://x"],
    env: {},
    envFile: noFile,
  });
  assert.deepEqual([cfg.values.port, cfg.values.kafka, cfg.values.db], [
    "7001",
    "h:9092",
    "postgres://x",
  ]);
});

Deno.test("a command takes the positional arguments", () => {
  const cfg = loadConfig(spec, { args: ["--", "enroll", "CP1"], env: {}, envFile: noFile });
  assert.equal(cfg.command, "enroll");
  assert.deepEqual(cfg.rest, ["CP1"]);
});

Deno.test("bad input is a ConfigError, --help is HelpRequested", () => {
  assert.throws(
    () => loadConfig(spec, { args: ["--nope"], env: {}, envFile: noFile }),
    ConfigError,
  );
  assert.throws(
    () => loadConfig(spec, { args: ["1", "2", "3", "4"], env: {}, envFile: noFile }),
    ConfigError,
  );
  assert.throws(() => loadConfig(spec, { args: ["--help"], env: {}, envFile: noFile }), (e) => {
    assert.ok(e instanceof HelpRequested);
    assert.match(e.text, /--port VALUE/);
    assert.match(e.text, /EV_PORT, default 7000/);
    return true;
  });
  assert.throws(() => parseHostPort("nope", "engine"), /'engine' must be host:port/);
  assert.deepEqual(parseHostPort("10.0.0.2:7100", "engine"), { hostname: "10.0.0.2", port: 7100 });
});

const aliased = {
  usage: "deno task monitor",
  summary: "aliases",
  settings: {
    id: { env: "EV_CP_ID", help: "id" },
    central: { env: "EV_CENTRAL", default: "127.0.0.1:7000", help: "central" },
    kafka: { env: "EV_KAFKA", default: "127.0.0.1:9092", help: "kafka" },
  },
  aliases: [
    { flag: "cp-id", to: "id" },
    { env: "CP_ID", to: "id" },
    { flag: "central-host", to: "central", part: "host" },
    { flag: "central-port", to: "central", part: "port" },
    { env: "KAFKA_BOOTSTRAP_SERVERS", to: "kafka" },
    { flag: "mongo", ignored: "--mongo is ignored" },
  ],
} satisfies ProgramSpec<string>;

Deno.test("earlier spellings: flags, host and port parts, environment, ignored ones", () => {
  const cfg = loadConfig(aliased, {
    args: ["--cp-id", "MAD-01", "--central-host", "10.0.0.5", "--central-port", "8000"],
    env: { KAFKA_BOOTSTRAP_SERVERS: "10.0.0.1:9092" },
    envFile: noFile,
  });
  assert.deepEqual(cfg.values, { id: "MAD-01", central: "10.0.0.5:8000", kafka: "10.0.0.1:9092" });
  assert.deepEqual(cfg.notices, []);
  // one part alone keeps the other of the value otherwise in force
  const port = loadConfig(aliased, {
    args: ["--central-port", "8000", "--mongo", "mongodb://x"],
    env: { EV_CENTRAL: "10.0.0.9:7000" },
    envFile: noFile,
  });
  assert.equal(port.values.central, "10.0.0.9:8000");
  assert.deepEqual(port.notices, ["--mongo is ignored"]);
  // ours win at each level
  const ours = loadConfig(aliased, {
    args: ["--id", "A", "--cp-id", "B"],
    env: { EV_KAFKA: "ours:1", KAFKA_BOOTSTRAP_SERVERS: "theirs:1", CP_ID: "C" },
    envFile: noFile,
  });
  assert.deepEqual([ours.values.id, ours.values.kafka], ["A", "ours:1"]);
});

Deno.test("earlier environment spellings are read from .env too; ours come first", async () => {
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(file, "KAFKA_BOOTSTRAP_SERVERS=file:1\nCP_ID=ALC1\n");
    const cfg = loadConfig(aliased, { args: [], env: { EV_CP_ID: "MAD1" }, envFile: file });
    assert.deepEqual([cfg.values.kafka, cfg.values.id], ["file:1", "MAD1"]);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("several positional forms: the first whose test accepts the arguments", () => {
  const forms = {
    usage: "deno task engine",
    summary: "forms",
    settings: {
      kafka: { help: "kafka" },
      address: { help: "address" },
      port: { help: "port" },
      id: { help: "id" },
    },
    positional: ["kafka", "address", "id"],
    positionalForms: [{
      names: ["port", "kafka", "id"],
      test: ([first]: string[]) => /^\d+$/.test(first ?? ""),
      usage: "<port> <kafka> <id>",
    }],
  } satisfies ProgramSpec<string>;
  const seed = loadConfig(forms, { args: ["8001", "h:9092", "MAD-01"], env: {}, envFile: noFile });
  assert.deepEqual([seed.values.port, seed.values.kafka, seed.values.id], [
    "8001",
    "h:9092",
    "MAD-01",
  ]);
  const brief = loadConfig(forms, { args: ["h:9092", "0.0.0.0:7100"], env: {}, envFile: noFile });
  assert.deepEqual([brief.values.kafka, brief.values.address, brief.values.id], [
    "h:9092",
    "0.0.0.0:7100",
    undefined,
  ]);
});
Deno.test("numbers are checked against a sane range, with a clear error", () => {
  const timeout = RANGES.reservationSeconds;
  assert.equal(parseNumber("60", "reservation-timeout", timeout), 60);
  for (const bad of ["1e10", "3000000", "0", "-1", "abc", "", "Infinity", "NaN"]) {
    assert.throws(
      () => parseNumber(bad, "reservation-timeout", timeout),
      (e) =>
        e instanceof ConfigError &&
        /^'reservation-timeout' must be a number from 1 to 86400 \(seconds\), got '/.test(
          e.message,
        ),
      bad,
    );
  }
  assert.throws(() => parseNumber("2.5", "cps", RANGES.count), /must be a whole number from 1/);
  assert.equal(parseNumber("2", "cps", RANGES.count), 2);
  assert.throws(() => parseNumber("100", "price", RANGES.price), /from 0 to 99\.99/);
  assert.throws(() => parseNumber("0", "max-kw", RANGES.kw), /from 0\.1 to 1000/);
  assert.throws(() => parseNumber("1e9", "timeout"), /must be a number from 0 to/);
});

Deno.test("every range fits a timer: no number of seconds overflows setTimeout", () => {
  for (const [name, range] of Object.entries(RANGES) as [string, NumberRange][]) {
    if (range.unit === "seconds") assert.ok(range.max * 1000 < 2 ** 31, name);
  }
});
