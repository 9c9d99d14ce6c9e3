/** compose.yml runs Kafka and PostgreSQL for people with Docker: check its structure. */
import assert from "node:assert/strict";
import { parse } from "yaml";

// deno-lint-ignore no-explicit-any
type Any = any;

const compose: Any = parse(
  await Deno.readTextFile(new URL("../compose.yml", import.meta.url)),
);

Deno.test("compose.yml declares the kafka and postgres services", () => {
  assert.deepEqual(Object.keys(compose.services).sort(), ["kafka", "postgres"]);
});

Deno.test("compose.yml: kafka is a single-node KRaft apache/kafka 4.1.1 on 9092", () => {
  const kafka = compose.services.kafka;
  assert.equal(kafka.image, "apache/kafka:4.1.1");
  assert.ok(kafka.ports.some((p: string) => /^\$\{KAFKA_PORT:-9092\}:9092$|^9092:9092$/.test(p)));
  const env = kafka.environment;
  assert.equal(env.KAFKA_PROCESS_ROLES, "broker,controller");
  assert.match(env.KAFKA_CONTROLLER_QUORUM_VOTERS, /^1@/);
  assert.match(env.KAFKA_ADVERTISED_LISTENERS, /\$\{KAFKA_ADVERTISED_HOST:-127\.0\.0\.1\}/);
  assert.equal(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE, "false");
  assert.equal(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR, 1);
  assert.equal(env.KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS, 0);
  assert.match(env.CLUSTER_ID, /^[A-Za-z0-9_-]{22}$/);
  // Every listener named in listeners/advertised has a security protocol.
  const names = (list: string) => list.split(",").map((l) => l.trim().split(":")[0]);
  const mapped = names(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP);
  for (const name of [...names(env.KAFKA_LISTENERS), ...names(env.KAFKA_ADVERTISED_LISTENERS)]) {
    assert.ok(mapped.includes(name), `listener ${name} has no security protocol`);
  }
});

Deno.test("compose.yml: postgres 16 on 5432 with a password", () => {
  const pg = compose.services.postgres;
  assert.equal(pg.image, "postgres:16");
  assert.ok(pg.ports.some((p: string) => /:5432$/.test(p)));
  assert.equal(pg.environment.POSTGRES_USER, "postgres");
  assert.ok(pg.environment.POSTGRES_PASSWORD);
});

Deno.test("compose.yml: every service has a healthcheck and a declared named volume", () => {
  for (const [name, service] of Object.entries<Any>(compose.services)) {
    const test = service.healthcheck?.test;
    assert.ok(Array.isArray(test) && test.length > 1, `${name} has no healthcheck`);
    assert.ok(["CMD", "CMD-SHELL"].includes(test[0]), `${name} healthcheck form`);
    assert.ok(service.volumes?.length > 0, `${name} has no volume`);
    for (const volume of service.volumes) {
      const source = String(volume).split(":")[0];
      assert.ok(source in compose.volumes, `${name} uses undeclared volume ${source}`);
    }
  }
  assert.match(compose.services.postgres.healthcheck.test.join(" "), /pg_isready/);
});
