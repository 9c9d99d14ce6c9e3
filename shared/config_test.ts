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
