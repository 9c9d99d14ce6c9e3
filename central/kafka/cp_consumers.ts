/**
 * Central's handlers of the CP topics: one consumer for `cp.requests` and one for
 * `cp.telemetry`, in one group, with partitions kept together per instance (see
 * `assigner.ts`): what Kafka assigns is what this instance owns. Each record becomes an input
 * of the core; its offset is committed once the core's effects are done (after the database).
 * A record that cannot be read, or that the database refuses, is set aside (dead letter).
 *
 * Requests and telemetry are separate consumers: a telemetry backlog never delays an answer.
 *
 * @module
 */
import type { Consumer, Kafka, KafkaMessage } from "kafkajs";
import { TurnBudget } from "../../shared/turn_budget.ts";
import { superviseConsumer, type Supervised } from "../../shared/kafka/supervised.ts";
import { parseEvent } from "../../shared/events.ts";
import type { Topics } from "../../shared/topics.ts";
import type { Input } from "../core/inputs.ts";
import { coPartitionAssigner } from "./assigner.ts";
import { DeterministicError } from "../shell/failures.ts";
import type { Ownership } from "../shell/ownership.ts";
import type { DeadLetters } from "./dead_letters.ts";
import type { TelemetryClock } from "./telemetry_clock.ts";
import type { AnswerTimer } from "./answer_timer.ts";
import type { Metrics } from "../../shared/metrics.ts";

/** Records in progress per consumer at most: a backlog is read as fast as it is handled. */
const MAX_PENDING = 5_000;

/** What the consumers need. */
export interface CpConsumersOptions {
  kafka: Kafka;
  topics: Topics;
  topicPrefix: string;
  instance: string;
  dispatch(input: Input): Promise<void>;
  ownership: Ownership;
  deadLetters: DeadLetters;
  telemetryClock: TelemetryClock;
  /** Told of each supply request read, with its broker time (`ev_request_answer_seconds`). */
  answerTimer?: Pick<AnswerTimer, "received">;
  metrics: Metrics;
}

/** Reads a `cp.requests` record: an input, or why it is not one. */
export function requestInput(m: KafkaMessage): Input | string {
  const e = parseEvent(
    m.value,
    ["supply.request", "operator.order", "cp.enrolled", "cp.removed"] as const,
  );
  if (typeof e === "string") return e;
  if (m.key?.toString() !== e.cpId) return `keyed '${m.key?.toString()}' but for CP ${e.cpId}`;
  switch (e.type) {
    case "supply.request":
      return {
        type: "request",
        requestId: e.id,
        driverId: e.driverId,
        cpId: e.cpId,
        source: e.source,
        // when the broker took it (the topic keeps the broker's time): never the sender's clock
        receivedAt: Number(m.timestamp),
      };
    case "operator.order":
      return { type: "order", cpId: e.cpId, order: e.order };
    case "cp.enrolled":
      return {
        type: "enrolled",
        cp: { id: e.cpId, location: e.location, pricePerKwh: e.pricePerKwh, stopped: false },
      };
    case "cp.removed":
      return { type: "removed", cpId: e.cpId };
  }
}

/** Reads a `cp.telemetry` record: an input, or why it is not one. */
export function telemetryInput(m: KafkaMessage): Input | string {
  const e = parseEvent(m.value, ["supply.started", "supply.progress", "supply.ended"] as const);
  if (typeof e === "string") return e;
  if (m.key?.toString() !== e.cpId) return `keyed '${m.key?.toString()}' but for CP ${e.cpId}`;
  switch (e.type) {
    case "supply.started":
      return { type: "started", cpId: e.cpId, sessionId: e.sessionId, driverId: e.driverId };
    case "supply.progress":
      return {
        type: "progress",
        cpId: e.cpId,
        sessionId: e.sessionId,
        driverId: e.driverId,
        kw: e.kw,
        kwh: e.kwh,
        eur: e.eur,
      };
    case "supply.ended": {
      const { v: _v, id: _id, at: _at, type: _type, ...report } = e;
      return { type: "ended", report };
    }
  }
}

/** Starts both consumers; resolves once they run. */
export async function startCpConsumers(o: CpConsumersOptions): Promise<Supervised[]> {
  const cpTopics = [o.topics.requests, o.topics.telemetry];
  const received = o.metrics.counter("ev_kafka_received_total", "records consumed, by topic");
  const lag = new Map<string, number>();
  o.metrics.gauge(
    "ev_kafka_consumer_lag",
    "records not consumed yet, by topic and partition (from the last batch)",
    () =>
      [...lag].map(([k, n]) => {
        const [topic, partition] = k.split("#");
        return [{ topic, partition }, n];
      }),
  );

  // telemetry in slices of 5 ms of work: a request (or a database answer) that arrives meanwhile
  // is served between two slices, not after a whole fetch of every partition's telemetry
  const budget = new TurnBudget(5);
  const start = (topic: string, read: (m: KafkaMessage) => Input | string) =>
    superviseConsumer({
      kafka: o.kafka,
      topic: cpTopics,
      config: {
        groupId: `${o.topicPrefix}central`,
        // an instance that dies hands its CPs over within this
        sessionTimeout: 6_000,
        heartbeatInterval: 1_000,
        rebalanceTimeout: 10_000,
        maxWaitTimeInMs: topic === o.topics.requests ? 50 : 200,
        allowAutoTopicCreation: false,
        partitionAssigners: [coPartitionAssigner({ instance: o.instance, topic }, cpTopics)],
      },
      fromBeginning: true,
      // every partition of a fetch side by side: the next fetch waits for the slowest batch
      partitionsConsumedConcurrently: 12,
      // the next fetch does not wait for a batch's work (a claim, a stored end): offsets are
      // committed as far as records are done, requests often (a hand-over reads little again),
      // telemetry every second (figures are cumulative: reading some again is harmless)
      commitEveryMs: topic === o.topics.requests ? 200 : 1_000,
      pipeline: { maxPending: MAX_PENDING },
      onConsumer: (c: Consumer) => {
        c.on(c.events.GROUP_JOIN, ({ payload }) => {
          const mine = payload.memberAssignment[topic] ?? [];
          o.ownership.assigned(topic, mine);
          if (topic === o.topics.telemetry) o.telemetryClock.keepOnly(mine);
        });
        c.on(c.events.END_BATCH_PROCESS, ({ payload }) => {
          lag.set(`${payload.topic}#${payload.partition}`, Number(payload.offsetLag));
        });
        if (topic === o.topics.telemetry) o.telemetryClock.follow(c);
      },
      eachBatch: async ({ batch, isRunning, isStale }, track) => {
        await o.ownership.ready(batch.partition);
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) break;
          received.inc({ topic: batch.topic });
          const origin = { topic: batch.topic, partition: batch.partition, offset: message.offset };
          const input = read(message);
          if (typeof input !== "string" && input.type === "request") {
            o.answerTimer?.received(input.requestId, input.receivedAt);
          }
          track(
            message.offset,
            typeof input === "string"
              ? o.deadLetters.setAside(origin, message.value, input)
              : o.dispatch(input).catch((e) => {
                if (!(e instanceof DeterministicError)) throw e;
                return o.deadLetters.setAside(origin, message.value, e.message);
              }),
          );
          const turn = topic === o.topics.telemetry ? budget.pace() : undefined;
          if (turn) await turn;
        }
      },
    });

  return [
    await start(o.topics.requests, requestInput),
    await start(o.topics.telemetry, telemetryInput),
  ];
}
