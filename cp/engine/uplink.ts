/**
 * The Engine's Kafka side: telemetry out (started, progress every second, ended) keyed by its CP
 * id, supply requests made at the CP out, and Central's commands for this CP in (authorize,
 * cancel). While Kafka is away the Engine keeps working; what it publishes waits and goes out
 * when the broker is back.
 *
 * The pieces are shared with the fleet simulator, which runs many Engines over one connection:
 * {@link engineUplink} (what an Engine publishes) and {@link commandDispatcher} (what it is told).
 *
 * @module
 */
import type { KafkaMessage } from "kafkajs";
import type { Engine, Uplink } from "./engine.ts";
import type { Supply, SupplyEnd } from "./supply.ts";
import { createKafka, createProducer } from "../../shared/kafka/client.ts";
import { type Follower, followTopic } from "../../shared/kafka/follow.ts";
import { closeInTime } from "../../shared/kafka/closing.ts";
import { route, topicNames, type Topics } from "../../shared/topics.ts";
import { encodeEvent, envelope, type EventBody, parseEvent } from "../../shared/events.ts";
import { RecentIds } from "../../shared/recent_ids.ts";
import { Backoff, sleep, tellIfSlow, unlessAborted } from "../../shared/backoff.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";

const log = createLogger("engine");

/** Publishes one event (resolves once the broker has it). */
export type Send = (topic: string, key: string, body: EventBody) => Promise<void>;

/** What Engine `id` publishes, through `send`. */
export function engineUplink(engine: Engine, topics: Topics, send: Send): Uplink {
  const id = engine.options.id;
  const telemetry = (body: EventBody) =>
    send(topics.telemetry, id, body).catch((e) =>
      log.warn(`telemetry of ${id} not sent: ${errorMessage(e)}`)
    );
  return {
    started: (s: Supply) =>
      telemetry({ type: "supply.started", cpId: id, sessionId: s.sessionId, driverId: s.driverId }),
    progress: (s: Supply) =>
      telemetry({
        type: "supply.progress",
        cpId: id,
        sessionId: s.sessionId,
        driverId: s.driverId,
        kw: s.kw,
        kwh: s.kwh,
        eur: s.eur,
      }),
    ended: (end: SupplyEnd) =>
      send(topics.telemetry, id, {
        type: "supply.ended",
        cpId: id,
        sessionId: end.sessionId,
        driverId: end.driverId,
        start: new Date(end.start).toISOString(),
        end: new Date(end.end).toISOString(),
        kwh: end.kwh,
        eur: end.eur,
        partial: end.partial,
        reason: end.reason,
      }),
    request: (driverId: string) => {
      const body = { type: "supply.request", driverId, cpId: id, source: "cp" } as const;
      const { topic, key } = route(topics, body);
      send(topic, key, body).catch((e) => engine.note(`request not sent: ${errorMessage(e)}`));
    },
  };
}

/** Hands each record of the commands topic to the Engine it is for (by key); skips bad ones. */
export function commandDispatcher(
  engineFor: (cpId: string) => Engine | undefined,
): (m: KafkaMessage) => void {
  const seen = new RecentIds(10_000);
  return (message) => {
    const engine = engineFor(message.key?.toString() ?? "");
    if (!engine) return;
    const e = parseEvent(message.value, ["supply.authorize", "supply.cancel"] as const);
    if (typeof e === "string") return log.warn(`skipped a bad command: ${e}`);
    if (e.cpId !== engine.options.id || !seen.add(e.id)) return;
    if (e.type === "supply.authorize") engine.authorize(e.sessionId, e.driverId, e.pricePerKwh);
    else engine.cancel(e.sessionId, "cancelled");
  };
}

/** Options of {@link connectUplink}. */
export interface UplinkOptions {
  brokers: string;
  topicPrefix: string;
}

/**
 * Connects one Engine to Kafka, in the background (retrying while the broker is away). Until
 * Central's commands are followed, the Engine answers its health checks KO: an authorization
 * sent before could not reach it.
 */
export function connectUplink(engine: Engine, o: UplinkOptions): { close(): Promise<void> } {
  const id = engine.options.id;
  const topics = topicNames(o.topicPrefix);
  const kafka = createKafka({
    brokers: o.brokers,
    clientId: `ev-engine-${id}`,
    logSource: "kafka",
  });
  const producer = createProducer(kafka);
  const stop = new AbortController();
  let follower: Follower | undefined;
  let connected: () => void = () => {};
  const isConnected = new Promise<void>((resolve) => (connected = resolve));
  engine.setUplink(engineUplink(engine, topics, async (topic, key, body) => {
    await isConnected;
    await producer.send({ topic, messages: [{ key, value: encodeEvent(envelope(body)) }] });
  }));

  const connect = async () => {
    const backoff = new Backoff({ minMs: 500, maxMs: 5_000 });
    let told = false;
    const tell = (why: string) => {
      if (!told && !stop.signal.aborted) engine.note(`waiting for Kafka at ${o.brokers}: ${why}`);
      told = true;
    };
    while (!stop.signal.aborted) {
      try {
        // the producer's connect retries while the broker is away: said after a while, and a
        // stop does not wait for it
        const connecting = producer.connect().then(() =>
          followTopic({
            kafka,
            topic: topics.commands,
            groupPrefix: `${o.topicPrefix}engine.${id}`,
            onMessage: commandDispatcher((cpId) => (cpId === id ? engine : undefined)),
          })
        );
        const following = await unlessAborted(
          tellIfSlow(connecting, () => tell("no answer yet (still trying)")),
          stop.signal,
        );
        if (!following) return;
        follower = following;
        connected();
        engine.setKafkaReady(true);
        return;
      } catch (e) {
        tell(errorMessage(e));
        await sleep(backoff.next(), stop.signal);
      }
    }
  };
  const connecting = connect();
  return {
    close: async () => {
      stop.abort();
      await connecting;
      await follower?.stop();
      await closeInTime("the Engine's producer", () => producer.disconnect());
    },
  };
}
