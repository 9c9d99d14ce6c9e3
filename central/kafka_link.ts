/**
 * Central's Kafka side: creates the topics, consumes requests and telemetry with two separate
 * consumers (a telemetry backlog never delays an answer to a driver), publishes to drivers and
 * Engines, and keeps the network view on its topic. Bad records are logged, counted and skipped
 * (their offset is committed like any other): never retried forever.
 *
 * Central starts without Kafka and connects as soon as the broker answers.
 *
 * @module
 */
import { CompressionTypes, type Producer } from "kafkajs";
import { superviseConsumer, type Supervised } from "../shared/kafka/supervised.ts";
import { createKafka, createProducer, ensureTopics } from "../shared/kafka/client.ts";
import { Batcher } from "../shared/kafka/batcher.ts";
import { topicNames, topicSpecs } from "../shared/topics.ts";
import { encodeEvent, envelope, type EventBody, parseEvent } from "../shared/events.ts";
import type { Supplies, SupplyOutbox } from "./supplies.ts";
import type { Network } from "./network.ts";
import { viewOf } from "./core/cp.ts";
import type { Metrics } from "../shared/metrics.ts";
import { Backoff, sleep } from "../shared/backoff.ts";
import { createLogger, errorMessage } from "../shared/log.ts";

const log = createLogger("central");

/** The network view is published at most this often, and at least this often as a heartbeat. */
const NETWORK_MIN_MS = 500;
const NETWORK_HEARTBEAT_MS = 2_000;

/** Options of {@link KafkaLink}. */
export interface KafkaLinkOptions {
  brokers: string;
  topicPrefix: string;
  network: Network;
  metrics: Metrics;
}

/** Central's connection to Kafka. */
export class KafkaLink implements SupplyOutbox {
  readonly topics;
  readonly #kafka;
  readonly #producer: Producer;
  readonly #batcher: Batcher;
  readonly #consumers: Supervised[] = [];
  readonly #stop = new AbortController();
  #ready = false;
  #networkTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #lastNetwork = 0;
  readonly #sent;
  readonly #received;
  readonly #bad;
  /** Records not consumed yet, by topic and partition (from each batch's offset lag). */
  readonly #lag = new Map<string, number>();

  constructor(private readonly o: KafkaLinkOptions) {
    this.topics = topicNames(o.topicPrefix);
    this.#kafka = createKafka({ brokers: o.brokers, clientId: "ev-central", logSource: "kafka" });
    this.#producer = createProducer(this.#kafka);
    // what is sent in one turn of the event loop goes out in one request
    this.#batcher = new Batcher(this.#producer, 0);
    this.#sent = o.metrics.counter("ev_kafka_sent_total", "records published, by topic");
    this.#received = o.metrics.counter("ev_kafka_received_total", "records consumed, by topic");
    this.#bad = o.metrics.counter(
      "ev_kafka_bad_records_total",
      "malformed records skipped, by topic",
    );
  }

  /** Whether Kafka is connected. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Connects (in the background, retrying while the broker is away) and starts consuming. */
  start(supplies: Supplies): Promise<void> {
    return this.#connect(supplies).catch((e) => {
      if (!this.#stop.signal.aborted) log.error(`Kafka: ${errorMessage(e)}`);
    });
  }

  async #connect(supplies: Supplies): Promise<void> {
    const backoff = new Backoff({ minMs: 500, maxMs: 5_000 });
    let told = false;
    while (!this.#stop.signal.aborted) {
      try {
        await ensureTopics(this.#kafka, topicSpecs(this.topics), { timeoutMs: 10_000 });
        break;
      } catch (e) {
        if (!told) log.warn(`waiting for Kafka at ${this.o.brokers}: ${errorMessage(e)}`);
        told = true;
        await sleep(backoff.next(), this.#stop.signal);
      }
    }
    if (this.#stop.signal.aborted) return;
    await this.#producer.connect();
    // the database may be restarting: Central consumes nothing before its supplies are back
    while (!this.#stop.signal.aborted) {
      try {
        await supplies.restore();
        break;
      } catch (e) {
        log.error(`restoring the supplies in progress: ${errorMessage(e)} (trying again)`);
        await sleep(backoff.next(), this.#stop.signal);
      }
    }
    if (this.#stop.signal.aborted) return;
    await this.#consume("requests", 100, (value) => {
      const e = parseEvent(value, ["supply.request", "driver.hello", "ticket.ack"] as const);
      return typeof e === "string" ? e : supplies.onRequest(e);
    });
    await this.#consume("telemetry", 250, (value) => {
      const e = parseEvent(value, ["supply.started", "supply.progress", "supply.ended"] as const);
      return typeof e === "string" ? e : supplies.onTelemetry(e);
    });
    this.#ready = true;
    this.o.network.message(`connected to Kafka at ${this.o.brokers}`);
    this.o.network.subscribe(() => this.#networkChanged());
    this.#heartbeat = setInterval(() => this.#publishNetwork(), NETWORK_HEARTBEAT_MS);
    this.#publishNetwork();
  }

  /** One consumer group per topic; `handle` returns a string for a bad record. */
  async #consume(
    name: "requests" | "telemetry",
    maxWaitTimeInMs: number,
    handle: (value: Uint8Array | null) => string | Promise<void>,
  ): Promise<void> {
    const topic = this.topics[name];
    const consumer = await superviseConsumer({
      kafka: this.#kafka,
      topic,
      config: {
        groupId: `${this.o.topicPrefix}central.${name}`,
        sessionTimeout: 6_000,
        heartbeatInterval: 1_000,
        maxWaitTimeInMs,
        allowAutoTopicCreation: false,
      },
      fromBeginning: true,
      // partitions side by side; each partition (a CP's or a driver's records) in order
      partitionsConsumedConcurrently: 3,
      onConsumer: (c) =>
        c.on(c.events.END_BATCH_PROCESS, ({ payload }) => {
          this.#lag.set(`${name}#${payload.partition}`, Number(payload.offsetLag));
        }),
      // the offset is committed only once the handler is done: after the database has the result
      eachMessage: async ({ message, partition }) => {
        this.#received.inc({ topic: name });
        const bad = await handle(message.value);
        if (typeof bad === "string") {
          this.#bad.inc({ topic: name });
          log.warn(`skipped a bad record on ${topic} [${partition}@${message.offset}]: ${bad}`);
        }
      },
    });
    this.#consumers.push(consumer);
  }

  /** Publishes to a driver (keyed by its id, so its messages stay in order). */
  toDriver(e: Parameters<SupplyOutbox["toDriver"]>[0]): Promise<void> {
    return this.#send(this.topics.notifications, e.driverId, e);
  }

  /** Publishes a supply request on a driver's behalf (the driver's web page); returns its id. */
  async requestSupply(driverId: string, cpId: string): Promise<string> {
    if (!this.#ready) throw new Error("Kafka is not connected yet");
    const e = envelope({ type: "supply.request", driverId, cpId, source: "driver" });
    await this.#producer.send({
      topic: this.topics.requests,
      messages: [{ key: driverId, value: encodeEvent(e) }],
    });
    this.#sent.inc({ topic: this.topics.requests });
    return e.id;
  }

  /** Publishes to an Engine (keyed by its CP id). */
  toEngine(e: Parameters<SupplyOutbox["toEngine"]>[0]): Promise<void> {
    return this.#send(this.topics.commands, e.cpId, e);
  }

  async #send(topic: string, key: string, body: EventBody): Promise<void> {
    await this.#batcher.send(topic, key, body);
    this.#sent.inc({ topic });
  }

  #networkChanged(): void {
    if (this.#networkTimer !== undefined) return;
    const wait = Math.max(0, this.#lastNetwork + NETWORK_MIN_MS - Date.now());
    this.#networkTimer = setTimeout(() => {
      this.#networkTimer = undefined;
      this.#publishNetwork();
    }, wait);
  }

  #publishNetwork(): void {
    this.#lastNetwork = Date.now();
    const cps = this.o.network.list().map(viewOf);
    // the network view grows with the network (about 270 bytes a CP): compressed, it stays small
    this.#producer.send({
      topic: this.topics.network,
      compression: CompressionTypes.GZIP,
      messages: [{ key: "network", value: encodeEvent(envelope({ type: "network", cps })) }],
    }).then(() => this.#sent.inc({ topic: this.topics.network }))
      .catch((e) => log.warn(`network view not published: ${errorMessage(e)}`));
  }

  /** Stops consuming and publishing. */
  async close(): Promise<void> {
    this.#stop.abort();
    clearInterval(this.#heartbeat);
    clearTimeout(this.#networkTimer);
    await Promise.all(this.#consumers.map((c) => c.stop()));
    await this.#producer.disconnect().catch(() => {});
  }
}
