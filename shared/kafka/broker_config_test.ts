import assert from "node:assert/strict";
import { kafkaClusterId, log4jConfig, serverProperties } from "./broker_config.ts";
import { brokerAddresses } from "./broker_net.ts";
import { cacheDir, kafkaPom } from "./jars.ts";

function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || !line.includes("=")) continue;
    const i = line.indexOf("=");
    out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

Deno.test("serverProperties: single-node KRaft, replication 1, no auto-created topics", () => {
  const p = parseProperties(serverProperties({
    listenHost: "0.0.0.0",
    port: 9092,
    advertiseHost: "192.168.1.10",
    controllerPort: 40001,
    logDir: "C:\\data\\kafka\\log",
  }));
  assert.equal(p["process.roles"], "broker,controller");
  assert.equal(p["controller.quorum.voters"], "1@127.0.0.1:40001");
  assert.equal(p["listeners"], "PLAINTEXT://0.0.0.0:9092,CONTROLLER://127.0.0.1:40001");
  assert.equal(p["advertised.listeners"], "PLAINTEXT://192.168.1.10:9092");
  assert.equal(p["log.dirs"], "C:/data/kafka/log");
  assert.equal(p["auto.create.topics.enable"], "false");
  assert.equal(p["offsets.topic.replication.factor"], "1");
  assert.equal(p["offsets.topic.num.partitions"], "1");
  assert.equal(p["transaction.state.log.replication.factor"], "1");
  assert.equal(p["transaction.state.log.min.isr"], "1");
  assert.equal(p["group.initial.rebalance.delay.ms"], "0");
  assert.equal(p["group.min.session.timeout.ms"], "1000");
});

Deno.test("serverProperties: a node of three, replication 3 with 2 in sync", () => {
  const voters = [{ id: 1, port: 40001 }, { id: 2, port: 40002 }, { id: 3, port: 40003 }];
  const p = parseProperties(serverProperties({
    listenHost: "127.0.0.1",
    port: 9093,
    advertiseHost: "127.0.0.1",
    controllerPort: 40002,
    logDir: "/d/node-2/log",
    nodeId: 2,
    voters,
  }));
  assert.equal(p["node.id"], "2");
  assert.equal(
    p["controller.quorum.voters"],
    "1@127.0.0.1:40001,2@127.0.0.1:40002,3@127.0.0.1:40003",
  );
  assert.equal(p["listeners"], "PLAINTEXT://127.0.0.1:9093,CONTROLLER://127.0.0.1:40002");
  assert.equal(p["default.replication.factor"], "3");
  assert.equal(p["min.insync.replicas"], "2");
  assert.equal(p["offsets.topic.replication.factor"], "3");
  assert.equal(p["transaction.state.log.min.isr"], "2");
});

Deno.test("serverProperties brackets IPv6 hosts", () => {
  const p = parseProperties(serverProperties({
    listenHost: "::1",
    port: 9092,
    advertiseHost: "::1",
    controllerPort: 1,
    logDir: "/d",
  }));
  assert.equal(p["advertised.listeners"], "PLAINTEXT://[::1]:9092");
});

Deno.test("log4jConfig writes warnings to the file only, with the path escaped", () => {
  const xml = log4jConfig("/tmp/a&b/broker.log");
  assert.match(xml, /fileName="\/tmp\/a&amp;b\/broker.log"/);
  assert.match(xml, /<Root level="warn">/);
  assert.doesNotMatch(xml, /Console/);
});

Deno.test("kafkaClusterId: 22 URL-safe base64 characters, never starting with '-'", () => {
  for (let i = 0; i < 200; i++) assert.match(kafkaClusterId(), /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  let calls = 0;
  const id = kafkaClusterId((bytes) => {
    calls++;
    return bytes.fill(calls === 1 ? 0xf8 : 0x41); // first id starts with '-': drawn again
  });
  assert.equal(calls, 2);
  assert.equal(id, "QUFBQUFBQUFBQUFBQUFBQQ");
});

Deno.test("brokerAddresses: listen host, advertised host and the 0.0.0.0 cases", () => {
  const lan = () => "10.0.0.5";
  assert.deepEqual(brokerAddresses("127.0.0.1:9092", undefined, lan), {
    listenHost: "127.0.0.1",
    port: 9092,
    advertiseHost: "127.0.0.1",
  });
  assert.deepEqual(brokerAddresses("0.0.0.0:9092", undefined, lan).advertiseHost, "10.0.0.5");
  assert.deepEqual(brokerAddresses("0.0.0.0:9092", "pc1", lan).advertiseHost, "pc1");
  // Advertising a LAN name while the bootstrap is loopback: listen everywhere.
  assert.equal(brokerAddresses("127.0.0.1:9092", "192.168.1.10", lan).listenHost, "0.0.0.0");
  assert.equal(brokerAddresses("192.168.1.10:9092", "", lan).advertiseHost, "192.168.1.10");
  assert.throws(() => brokerAddresses("9092"), /host:port/);
  assert.throws(() => brokerAddresses("h:99999"), /host:port/);
});

Deno.test("cacheDir: EV_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.equal(cacheDir(env({ EV_CACHE_DIR: "/c", HOME: "/h" })), "/c");
  assert.equal(cacheDir(env({ XDG_CACHE_HOME: "/x", HOME: "/h" })), "/x/evcharging");
  assert.equal(cacheDir(env({ HOME: "/h" })), "/h/.cache/evcharging");
  assert.throws(() => cacheDir(env({})), /EV_CACHE_DIR/);
});

Deno.test("kafkaPom names Kafka and the log4j2 binding for slf4j 1.7", () => {
  const pom = kafkaPom("4.1.1", "2.24.3");
  assert.match(pom, /<artifactId>kafka_2.13<\/artifactId><version>4.1.1<\/version>/);
  assert.match(pom, /<artifactId>log4j-slf4j-impl<\/artifactId><version>2.24.3</);
  assert.match(pom, /<artifactId>log4j-core<\/artifactId><version>2.24.3</);
});
