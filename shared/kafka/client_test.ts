import assert from "node:assert/strict";
import { logLevel } from "kafkajs";
import {
  formatKafkaLog,
  LogThrottle,
  mapLevel,
  parseBrokers,
  probeBroker,
  retryOptions,
} from "./client.ts";

Deno.test("parseBrokers splits, trims and validates host:port lists", () => {
  assert.deepEqual(parseBrokers("127.0.0.1:9092"), ["127.0.0.1:9092"]);
  assert.deepEqual(parseBrokers(" a:1, b:2 ,,"), ["a:1", "b:2"]);
  assert.deepEqual(parseBrokers(["h:9092", " [::1]:9093 "]), ["h:9092", "[::1]:9093"]);
  assert.throws(() => parseBrokers(""), /no Kafka bootstrap servers/);
  assert.throws(() => parseBrokers("nohost"), /must be host:port, got 'nohost'/);
  assert.throws(() => parseBrokers("a:1,b"), /got 'b'/);
});

Deno.test("formatKafkaLog keeps the message and the useful fields, not the stack", () => {
  const line = formatKafkaLog({
    namespace: "Connection",
    log: {
      timestamp: "t",
      message: "Connection error: connect ECONNREFUSED 127.0.0.1:9092",
      broker: "127.0.0.1:9092",
      stack: "Error: ...\n at x",
    },
  });
  assert.equal(
    line,
    "[Connection] Connection error: connect ECONNREFUSED 127.0.0.1:9092 (broker=127.0.0.1:9092)",
  );
  const withError = formatKafkaLog({
    namespace: "",
    log: { timestamp: "t", message: "Crash", error: "boom", groupId: "g" },
  });
  assert.equal(withError, "Crash (group=g, error=boom)");
});

Deno.test("LogThrottle lets one line per text through per window and counts the rest", () => {
  let now = 0;
  const throttle = new LogThrottle(10_000, () => now);
  assert.equal(throttle.admit("down"), "down");
  assert.equal(throttle.admit("down"), undefined);
  assert.equal(throttle.admit("other"), "other");
  now = 5_000;
  assert.equal(throttle.admit("down"), undefined);
  now = 10_000;
  assert.equal(throttle.admit("down"), "down (repeated 2 more times)");
  now = 20_000;
  assert.equal(throttle.admit("down"), "down");
  now = 20_001;
  assert.equal(throttle.admit("down"), undefined);
  now = 30_001;
  assert.equal(throttle.admit("down"), "down (repeated 1 more time)");
});

Deno.test("mapLevel keeps errors and warnings, demotes the rest to debug", () => {
  assert.equal(mapLevel(logLevel.ERROR), "error");
  assert.equal(mapLevel(logLevel.WARN), "warn");
  assert.equal(mapLevel(logLevel.INFO), "debug");
  assert.equal(mapLevel(logLevel.DEBUG), "debug");
});

Deno.test("mapLevel: a group rebalancing is routine (one info line), not an error", () => {
  // what kafkajs logs on every Central start, its consumers joining one group one after another
  const heartbeat = {
    namespace: "Connection",
    log: {
      timestamp: "t",
      message: "Response Heartbeat(key: 12, version: 3)",
      error: "The group is rebalancing, so a rejoin is needed",
    },
  };
  const runner = {
    namespace: "Runner",
    log: {
      timestamp: "t",
      message: "The group is rebalancing, re-joining",
      error: "The group is rebalancing",
    },
  };
  assert.equal(mapLevel(logLevel.ERROR, heartbeat), "debug");
  assert.equal(mapLevel(logLevel.WARN, runner), "info");
  const other = {
    namespace: "Connection",
    log: { timestamp: "t", message: "Connection error: ECONNREFUSED" },
  };
  assert.equal(mapLevel(logLevel.ERROR, other), "error");
});

Deno.test("mapLevel: a connection's 'not the leader' answer is retried, not an error", () => {
  // what kafkajs logged on a Central start against topics it had just made
  const listOffsets = {
    namespace: "Connection",
    log: {
      timestamp: "t",
      message: "Response ListOffsets(key: 2, version: 3)",
      error: "This server is not the leader for that topic-partition",
    },
  };
  assert.equal(mapLevel(logLevel.ERROR, listOffsets), "debug");
  const elsewhere = {
    namespace: "Producer",
    log: { ...listOffsets.log, message: "Failed to send" },
  };
  assert.equal(mapLevel(logLevel.ERROR, elsewhere), "error");
});

Deno.test("retryOptions: forever by default, bounded when asked", () => {
  assert.equal(retryOptions({}).retries, Number.MAX_SAFE_INTEGER);
  assert.equal(retryOptions({ retries: Infinity }).retries, Number.MAX_SAFE_INTEGER);
  assert.equal(retryOptions({ retries: 3 }).retries, 3);
  assert.equal(retryOptions({ retries: -1 }).retries, 0);
  assert.equal(retryOptions({}).maxRetryTime, 5000);
  assert.equal(retryOptions({ maxRetryTimeMs: 1000 }).maxRetryTime, 1000);
});

Deno.test("probeBroker answers false, quickly and quietly, where nothing listens", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // a port that was just free: connection refused
  const started = Date.now();
  assert.equal(await probeBroker(`127.0.0.1:${port}`, 2000), false);
  assert.ok(Date.now() - started < 2500);
  assert.equal(await probeBroker("not an address", 500), false);
});
