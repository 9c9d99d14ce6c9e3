/**
 * The floor under an idle request → answer: two Kafka hops and nothing else. A record goes to one
 * topic, a follower there sends it straight on to a second topic, and a follower of that one takes
 * it back: the path of a driver's request and its answer with no Central, no database and no
 * simulator, through the project's own clients (`createKafka`, `createProducer`, `followTopic`),
 * at the idle step's pace (about 5 a second).
 *
 * `deno run -A tests/bench/kafka_floor.ts [samples=300] [brokers=$EV_KAFKA or 127.0.0.1:9092]`
 *
 * @module
 */
import { createKafka, createProducer, ensureTopics } from "../../shared/kafka/client.ts";
import { sleep } from "../../shared/backoff.ts";
import { KAFKA, requireKafka } from "../support/network.ts";
import { type Follower, type FollowOptions, followTopic } from "../../shared/kafka/follow.ts";
import { Histogram } from "../../cp/sim/histogram.ts";

/** Two hops' round trip, ms. */
export interface KafkaFloor {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Sends `samples` records around two topics, one every 150–250 ms; resolves with the figures. */
export async function measureKafkaFloor(brokers: string, samples = 300): Promise<KafkaFloor> {
  const kafka = createKafka({ brokers, clientId: "ev-bench-floor", silent: true });
  const run = `ev-bench-floor-${crypto.randomUUID().slice(0, 8)}`;
  const [out, back] = [`${run}.out`, `${run}.back`];
  // as many partitions as the project's request topics: a fetch covers all of them
  await ensureTopics(kafka, [
    { topic: out, numPartitions: 12 },
    { topic: back, numPartitions: 12 },
  ]);
  const relay = createProducer(kafka);
  const sender = createProducer(kafka);
  await Promise.all([relay.connect(), sender.connect()]);
  const sent = new Map<string, number>();
  const times = new Histogram();
  const followers = await Promise.all([
    follow({
      kafka,
      topic: out,
      groupPrefix: run,
      onMessage: (m) => {
        relay.send({ topic: back, messages: [{ key: m.key, value: m.value }] }).catch(() => {});
      },
    }),
    follow({
      kafka,
      topic: back,
      groupPrefix: run,
      onMessage: (m) => {
        const at = sent.get(m.key?.toString() ?? "");
        if (at !== undefined) times.add(performance.now() - at);
      },
    }),
  ]);
  try {
    await sleep(2_000); // the followers' first fetches are out
    for (let i = 0; i < samples; i++) {
      await sleep(150 + Math.random() * 100);
      const key = `r${i}`;
      sent.set(key, performance.now());
      sender.send({ topic: out, messages: [{ key, value: "x".repeat(150) }] }).catch(() => {});
    }
    await sleep(2_000);
  } finally {
    await Promise.all(followers.map((f) => f.stop()));
    await Promise.all([relay.disconnect(), sender.disconnect()]);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [out, back] }).catch(() => {});
    await admin.disconnect();
  }
  const round = (q: number) => Math.round(times.percentile(q) * 10) / 10;
  return { samples: times.count, p50Ms: round(50), p99Ms: round(99), maxMs: round(100) };
}

/** A new topic's leaders may not answer for its offsets yet: tried again for a while. */
async function follow(o: FollowOptions): Promise<Follower> {
  for (let i = 0;; i++) {
    try {
      return await followTopic(o);
    } catch (e) {
      if (i >= 20) throw e;
      await sleep(500);
    }
  }
}

if (import.meta.main) {
  const samples = Number(Deno.args[0] ?? 300);
  const brokers = Deno.args[1] ?? KAFKA;
  try {
    if (!(samples > 0)) throw new Error("usage: kafka_floor.ts [samples] [brokers]");
    await requireKafka(brokers);
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(2);
  }
  const f = await measureKafkaFloor(brokers, samples);
  console.log(
    `two Kafka hops, idle: ${f.samples} round trips, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, ` +
      `max ${f.maxMs} ms`,
  );
}
