import assert from "node:assert/strict";
import {
  ConfigError,
  HelpRequested,
  loadConfig,
  parseHostPort,
  type ProgramSpec,
} from "./config.ts";

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
