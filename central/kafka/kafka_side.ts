/**
 * Central's Kafka side, started in the background (Central answers its API and Monitors while
 * the broker is away, and connects as soon as it answers): the topics, then the link facts and
 * the network views of the other instances (followed from now), then the CP topics' consumers
 * (which make this instance an owner), then the drivers' requests.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import { ensureTopics } from "../../shared/kafka/client.ts";
import type { Supervised } from "../../shared/kafka/supervised.ts";
import type { Follower } from "../../shared/kafka/follow.ts";
import { type Topics, topicSpecs } from "../../shared/topics.ts";
import { Backoff, sleep, tellIfSlow, unlessAborted } from "../../shared/backoff.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";
import type { LinksChannel } from "./links_channel.ts";
import { startCpConsumers } from "./cp_consumers.ts";
import type { AnswerTimer } from "./answer_timer.ts";
import { startDriverRequests } from "./driver_requests.ts";
import { followNetwork } from "./network_channel.ts";
import type { Input } from "../core/inputs.ts";
import type { Ownership } from "../shell/ownership.ts";
import type { DeadLetters } from "./dead_letters.ts";
import type { TelemetryClock } from "./telemetry_clock.ts";
import type { Publisher } from "../../shared/kafka/publisher.ts";
import type { SessionRepo } from "../db/session_repo.ts";
import type { DbLanes } from "../db/lanes.ts";
import type { AppMessage } from "../../shared/events.ts";
import type { Metrics } from "../../shared/metrics.ts";

const log = createLogger("central");

/** What the Kafka side needs. */
export interface KafkaSideOptions {
  brokers: string;
  kafka: Kafka;
  publisher: Publisher;
  topics: Topics;
  topicPrefix: string;
  instance: string;
  links: LinksChannel;
  ownership: Ownership;
  deadLetters: DeadLetters;
  telemetryClock: TelemetryClock;
  answerTimer: AnswerTimer;
  sessions: SessionRepo;
  db: Pick<DbLanes, "run">;
  metrics: Metrics;
  dispatch(input: Input): Promise<void>;
  remoteMessages(messages: AppMessage[]): void;
  /** Called once everything runs. */
  ready(): void;
}

/** The running Kafka side. */
export interface KafkaSide {
  close(): Promise<void>;
}

/** Starts the Kafka side in the background. */
export function startKafkaSide(o: KafkaSideOptions): KafkaSide {
  const stop = new AbortController();
  const consumers: Supervised[] = [];
  let network: Follower | undefined;

  // each step is tried again until it works (a new topic's leader may not be there yet); a stop
  // does not wait for one (a client connecting retries for as long as the broker is away)
  const until = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    const backoff = new Backoff({ minMs: 500, maxMs: 5_000 });
    let told = false;
    const tell = (why: string) => {
      if (!told && !stop.signal.aborted) log.warn(`${what}: ${why}`);
      told = true;
    };
    while (!stop.signal.aborted) {
      try {
        const step = tellIfSlow(fn(), () => tell("no answer yet (still trying)"));
        return await unlessAborted(step, stop.signal);
      } catch (e) {
        tell(`${errorMessage(e)} (trying again)`);
        await sleep(backoff.next(), stop.signal);
      }
    }
    return undefined;
  };

  const run = async () => {
    await until(`waiting for Kafka at ${o.brokers}`, async () => {
      await ensureTopics(o.kafka, topicSpecs(o.topics), { timeoutMs: 10_000 });
      await o.publisher.connect();
    });
    await until("following the link facts", () => o.links.start());
    network = await until("following the network", () =>
      followNetwork({
        kafka: o.kafka,
        topics: o.topics,
        topicPrefix: o.topicPrefix,
        instance: o.instance,
        dispatch: o.dispatch,
        messages: o.remoteMessages,
      }));
    const cp = await until("consuming the CP topics", () =>
      startCpConsumers({
        kafka: o.kafka,
        topics: o.topics,
        topicPrefix: o.topicPrefix,
        instance: o.instance,
        dispatch: o.dispatch,
        ownership: o.ownership,
        deadLetters: o.deadLetters,
        telemetryClock: o.telemetryClock,
        answerTimer: o.answerTimer,
        metrics: o.metrics,
      }));
    if (cp) consumers.push(...cp);
    const drivers = await until("consuming the drivers' requests", () =>
      startDriverRequests({
        kafka: o.kafka,
        topics: o.topics,
        topicPrefix: o.topicPrefix,
        sessions: o.sessions,
        publisher: o.publisher,
        deadLetters: o.deadLetters,
        db: o.db,
      }));
    if (drivers) consumers.push(drivers);
    if (!stop.signal.aborted) o.ready();
  };
  const running = run().catch((e) => {
    if (!stop.signal.aborted) log.error(`Kafka: ${errorMessage(e)}`);
  });

  return {
    close: async () => {
      stop.abort();
      await running;
      // leaving the group first: another instance takes the CPs over at once
      await Promise.all(consumers.map((c) => c.stop()));
      await network?.stop();
      await o.links.close();
    },
  };
}
