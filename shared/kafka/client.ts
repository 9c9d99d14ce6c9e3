/**
 * kafkajs clients for our programs: one factory with our logging and retry policy, an idempotent
 * producer, explicit topic creation and a quiet broker probe.
 *
 * @module
 */
import {
  type Admin,
  Kafka,
  type LogEntry,
  logLevel,
  Partitioners,
  type Producer,
  type RetryOptions,
} from "kafkajs";
import process from "node:process";
import { createLogger, errorMessage, type Logger } from "../log.ts";
import { replicationFor } from "./broker_config.ts";
import { speedUpKafkaEncoder } from "./encoder_patch.ts";

// every record we produce is encoded with it: see encoder_patch.ts
speedUpKafkaEncoder();

/** Options of {@link createKafka}. */
export interface KafkaOptions {
  /** Bootstrap servers: `host:port`, comma-separated, or a list. */
  brokers: string | string[];
  /** Names this client to the broker (shows in broker logs and consumer group listings). */
  clientId: string;
  /**
   * How many times a failed request (connect included) is retried before it fails.
   * Long-running programs want the default, `Infinity`: while the broker is away they wait and
   * reconnect by themselves, and a send resolves once the broker is back. A CLI tool or a probe
   * wants a small number (0-3) so that it can report "broker unreachable" and exit.
   * With retries forever, a `send` waits (without failing) while the broker is away, and a
   * consumer's `eachMessage` that throws is retried forever too: handle a bad record inside it
   * (log, skip, let it be committed) instead of throwing.
   * @default Infinity
   */
  retries?: number;
  /** Longest pause between two retries, in ms (short, so a restarted broker is found soon). @default 5000 */
  maxRetryTimeMs?: number;
  /** Time to establish a TCP connection to a broker, in ms. @default 3000 */
  connectionTimeoutMs?: number;
  /** Time a broker has to answer one request, in ms. @default 30000 */
  requestTimeoutMs?: number;
  /** Name shown in log lines. @default "kafka" */
  logSource?: string;
  /** No log lines at all (probes, readiness checks). @default false */
  silent?: boolean;
}

/** One topic for {@link ensureTopics}. */
export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** Topic-level settings, e.g. `{ "retention.ms": "3600000" }`. */
  config?: Record<string, string>;
}

/** Splits a bootstrap setting (`"h1:9092, h2:9092"` or a list) into trimmed `host:port` entries. */
export function parseBrokers(brokers: string | string[]): string[] {
  const list = (Array.isArray(brokers) ? brokers : brokers.split(","))
    .map((b) => b.trim())
    .filter((b) => b !== "");
  if (list.length === 0) throw new Error("no Kafka bootstrap servers given (--kafka / EV_KAFKA)");
  for (const b of list) {
    if (!/^(\[[^\]]+\]|[^:\s,]+):\d{1,5}$/.test(b)) {
      throw new Error(`Kafka bootstrap server must be host:port, got '${b}'`);
    }
  }
  return list;
}

/**
 * Turns a kafkajs log entry into one line: `[namespace] message (broker=…, error=…)`.
 * Stacks and retry bookkeeping are left out.
 */
export function formatKafkaLog(entry: Pick<LogEntry, "namespace" | "log">): string {
  const { message, error, broker, topic, groupId } = entry.log;
  const extras: string[] = [];
  if (broker) extras.push(`broker=${broker}`);
  if (topic) extras.push(`topic=${topic}`);
  if (groupId) extras.push(`group=${groupId}`);
  if (error && String(error) !== message) extras.push(`error=${String(error)}`);
  const where = entry.namespace ? `[${entry.namespace}] ` : "";
  return `${where}${message}${extras.length ? ` (${extras.join(", ")})` : ""}`;
}

/**
 * Lets one line per text through per time window, and says how many were held back.
 * A broker that is down makes kafkajs repeat the same error many times a second.
 */
export class LogThrottle {
  #last = new Map<string, { at: number; held: number }>();

  /** @param windowMs quiet time after a line; @param now clock (injectable for tests) */
  constructor(readonly windowMs = 10_000, readonly now: () => number = Date.now) {}

  /** The line to print for `text` now, or `undefined` when it is held back. */
  admit(text: string): string | undefined {
    const t = this.now();
    const seen = this.#last.get(text);
    if (seen && t - seen.at < this.windowMs) {
      seen.held++;
      return undefined;
    }
    if (this.#last.size > 1000) this.#prune(t);
    this.#last.set(text, { at: t, held: 0 });
    if (seen && seen.held > 0) {
      return `${text} (repeated ${seen.held} more time${seen.held === 1 ? "" : "s"})`;
    }
    return text;
  }

  #prune(t: number) {
    for (const [key, value] of this.#last) {
      if (t - value.at >= this.windowMs) this.#last.delete(key);
    }
  }
}

/**
 * A consumer group's members joining or leaving (an instance starting, its own consumers
 * subscribing one after another) make the broker answer the others' heartbeats "rebalancing", and
 * kafkajs logs that as an error of the connection and a warning of the runner, then rejoins: on
 * every start, nothing was wrong.
 */
const REBALANCING = /group is rebalancing/i;

/**
 * A partition's leadership moving, or not settled yet (a topic just made): the broker answers a
 * request "not the leader", kafkajs logs that response as an error of the connection, refreshes
 * its metadata and asks again. Whoever asked says so if it lasts (Central: "following the link
 * facts: … (trying again)"), so the connection's line is a debug one.
 */
const LEADERSHIP = /not the leader for that topic-partition|no leader for this topic-partition/i;

/**
 * Maps a kafkajs entry's level to ours: errors and warnings stay, the rest is debug; a routine
 * rebalance is one info line (the runner's), its connection's error a debug one, and so is a
 * connection's "not the leader" answer.
 */
export function mapLevel(
  level: logLevel,
  entry?: Pick<LogEntry, "namespace" | "log">,
): "error" | "warn" | "info" | "debug" {
  const rebalancing = entry !== undefined &&
    REBALANCING.test(`${entry.log.message ?? ""} ${String(entry.log.error ?? "")}`);
  if (rebalancing && level <= logLevel.WARN) return entry.namespace === "Runner" ? "info" : "debug";
  if (
    entry?.namespace === "Connection" && entry.log.message?.startsWith("Response ") &&
    LEADERSHIP.test(String(entry.log.error ?? ""))
  ) return "debug";
  if (level === logLevel.ERROR) return "error";
  if (level === logLevel.WARN) return "warn";
  return "debug";
}

/** kafkajs's warning when a client with bounded retries makes an idempotent producer. */
const BOUNDED_RETRIES_WARNING = "Limiting retries for the idempotent producer";

function kafkaLogCreator(log: Logger, throttle: LogThrottle, boundedRetries: boolean) {
  return () => (entry: LogEntry) => {
    // Bounded retries were asked for on purpose (a CLI tool, a test): a failed send is reported.
    if (boundedRetries && entry.log.message?.startsWith(BOUNDED_RETRIES_WARNING)) return;
    const line = throttle.admit(formatKafkaLog(entry));
    if (line !== undefined) log[mapLevel(entry.level, entry)](line);
    // a crash's stack is worth having when asked for (EV_DEBUG=1)
    const stack = (entry.log as { stack?: string }).stack;
    if (stack && entry.log.message?.startsWith("Crash")) log.debug(stack);
  };
}

/** Retry settings for kafkajs from our options. */
export function retryOptions(options: Pick<KafkaOptions, "retries" | "maxRetryTimeMs">) {
  const retries = options.retries ?? Infinity;
  return {
    retries: Number.isFinite(retries) ? Math.max(0, retries) : Number.MAX_SAFE_INTEGER,
    initialRetryTime: 300,
    maxRetryTime: options.maxRetryTimeMs ?? 5000,
  } satisfies RetryOptions;
}

let warningFilterInstalled = false;

/**
 * kafkajs arms a timer with a negative delay at every connect (`throttledUntil - Date.now()` with
 * `throttledUntil = -1`); Deno's Node-compatible timers then print a `TimeoutNegativeWarning`
 * (harmless: the delay becomes 1 ms). This keeps every other process warning as it was.
 */
function filterTimeoutNegativeWarning() {
  if (warningFilterInstalled) return;
  warningFilterInstalled = true;
  for (const listener of process.listeners("warning")) {
    process.off("warning", listener);
    process.on("warning", (warning: Error) => {
      if (warning?.name !== "TimeoutNegativeWarning") listener(warning);
    });
  }
}

/**
 * Creates a kafkajs client whose log lines go through {@link createLogger} (errors and warnings;
 * the same text at most once per 10 s) and which, by default, retries forever.
 *
 * @example
 * ```ts
 * const kafka = createKafka({ brokers: "127.0.0.1:9092", clientId: "central" });
 * ```
 */
export function createKafka(options: KafkaOptions): Kafka {
  const log = createLogger(options.logSource ?? "kafka");
  filterTimeoutNegativeWarning();
  return new Kafka({
    clientId: options.clientId,
    brokers: parseBrokers(options.brokers),
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: retryOptions(options),
    logLevel: options.silent ? logLevel.NOTHING : logLevel.WARN,
    logCreator: kafkaLogCreator(
      log,
      new LogThrottle(),
      Number.isFinite(options.retries ?? Infinity),
    ),
  });
}

/**
 * Creates an idempotent producer (no duplicates, order kept per partition when a send is retried)
 * with kafkajs's default (murmur2, Java-compatible) partitioner: the same key always goes to the
 * same partition.
 *
 * kafkajs keeps one produce request in flight per broker for an idempotent producer (it holds a
 * per-broker lock while a request is out and assigns sequence numbers under it), which is within
 * Kafka's limit of 5 in-flight requests for idempotence; `maxInFlightRequests` is therefore left
 * unset (a limit there would also hold back metadata requests on the same connection).
 * Retries follow the client's (forever by default): an idempotent producer retries safely.
 */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    allowAutoTopicCreation: false,
  });
}

/**
 * Creates the topics that do not exist yet, with explicit partition counts, a replication factor
 * of min(3, brokers in the cluster it finds) and `min.insync.replicas` 2 where there are three
 * (so that losing one broker loses nothing), and waits until every partition has a leader.
 * Existing topics are left as they are (a warning if one has fewer partitions than asked).
 * Resolves to the names of the topics it created.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: TopicSpec[],
  options: { timeoutMs?: number } = {},
): Promise<string[]> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    const { replicas: replicationFactor, minInSync } = replicationFor(cluster.brokers.length);
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      // waitForLeaders is done below for every topic: kafkajs skips it when some already exist.
      await admin.createTopics({
        waitForLeaders: false,
        timeout: timeoutMs,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.numPartitions,
          replicationFactor,
          configEntries: Object.entries({
            "min.insync.replicas": String(minInSync),
            ...t.config,
          }).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    await waitForLeaders(admin, topics, timeoutMs);
    return missing.map((t) => t.topic);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function waitForLeaders(admin: Admin, topics: TopicSpec[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const log = createLogger("kafka");
  const warned = new Set<string>();
  while (true) {
    let pending = "";
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({
        topics: topics.map((t) => t.topic),
      });
      for (const spec of topics) {
        const m = meta.find((x) => x.name === spec.topic);
        if (!m || m.partitions.length === 0 || m.partitions.some((p) => p.leader < 0)) {
          pending = spec.topic;
          break;
        }
        if (m.partitions.length < spec.numPartitions && !warned.has(spec.topic)) {
          warned.add(spec.topic);
          log.warn(
            `topic ${spec.topic} has ${m.partitions.length} partitions, ${spec.numPartitions} wanted`,
          );
        }
      }
    } catch (e) {
      pending = `(${errorMessage(e)})`;
    }
    if (pending === "") return;
    if (Date.now() > deadline) {
      throw new Error(`Kafka topic ${pending} has no leader after ${timeoutMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * True when a Kafka cluster at `brokers` answers an admin `describeCluster` within `timeoutMs`.
 * Logs nothing, never throws (bad addresses are false) and always disconnects.
 */
export async function probeBroker(
  brokers: string | string[],
  timeoutMs = 3000,
): Promise<boolean> {
  let admin: Admin;
  try {
    admin = createKafka({
      brokers,
      clientId: "ev-probe",
      retries: 0,
      silent: true,
      connectionTimeoutMs: Math.min(timeoutMs, 3000),
      requestTimeoutMs: timeoutMs,
    }).admin();
  } catch {
    return false;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ask = (async () => {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  })().catch(() => false);
  try {
    return await Promise.race([ask, timeout]);
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => {});
    await ask; // a connect still under way settles (fails) once disconnected
  }
}
