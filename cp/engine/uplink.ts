/**
 * The Engine's Kafka side: telemetry out (started, progress every second, ended) keyed by its CP
 * id, supply requests made at the CP out, and Central's commands for this CP in (authorize,
 * cancel). While Kafka is away the Engine keeps working; what it publishes waits and goes out
 * when the broker is back.
 *
 * @module
 */
import type { Engine, Uplink } from "./engine.ts";
import type { Supply, SupplyEnd } from "./supply.ts";
import { createKafka, createProducer } from "../../shared/kafka/client.ts";
import { type Follower, followTopic } from "../../shared/kafka/follow.ts";
import { topicNames } from "../../shared/topics.ts";
import { encodeEvent, envelope, type EventBody, parseEvent } from "../../shared/events.ts";
import { RecentIds } from "../../shared/recent_ids.ts";
import { Backoff, sleep } from "../../shared/backoff.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";

const log = createLogger("engine");

/** Options of {@link connectUplink}. */
export interface UplinkOptions {
  brokers: string;
  topicPrefix: string;
}

/**
 * Connects the Engine to Kafka. Resolves once Central's commands are followed (or after a few
 * seconds without a broker; it goes on trying in the background).
 */
export async function connectUplink(
  engine: Engine,
  o: UplinkOptions,
): Promise<{ close(): Promise<void> }> {
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
  const seen = new RecentIds(1000);

  const send = async (topic: string, key: string, body: EventBody) => {
    await isConnected;
    await producer.send({ topic, messages: [{ key, value: encodeEvent(envelope(body)) }] });
  };
  const telemetry = (body: EventBody) =>
    send(topics.telemetry, id, body).catch((e) =>
      log.warn(`telemetry not sent: ${errorMessage(e)}`)
    );

  const uplink: Uplink = {
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
      send(topics.requests, driverId, { type: "supply.request", driverId, cpId: id, source: "cp" })
        .catch((e) => engine.note(`request not sent: ${errorMessage(e)}`));
    },
  };
  engine.setUplink(uplink);

  const connect = async () => {
    const backoff = new Backoff({ minMs: 500, maxMs: 5_000 });
    let told = false;
    while (!stop.signal.aborted) {
      try {
        await producer.connect();
        follower = await followTopic({
          kafka,
          topic: topics.commands,
          groupPrefix: `${o.topicPrefix}engine.${id}`,
          onMessage: (message) => {
            if (message.key?.toString() !== id) return;
            const e = parseEvent(message.value, ["supply.authorize", "supply.cancel"] as const);
            if (typeof e === "string") return log.warn(`skipped a bad command: ${e}`);
            if (e.cpId !== id || !seen.add(e.id)) return;
            if (e.type === "supply.authorize") {
              engine.authorize(e.sessionId, e.driverId, e.pricePerKwh);
            } else engine.cancel(e.sessionId, "cancelled");
          },
        });
        connected();
        log.info(`connected to Kafka at ${o.brokers}`);
        return;
      } catch (e) {
        if (!told) engine.note(`waiting for Kafka at ${o.brokers}: ${errorMessage(e)}`);
        told = true;
        await sleep(backoff.next(), stop.signal);
      }
    }
  };
  const connecting = connect();
  await Promise.race([connecting, sleep(5_000)]);
  return {
    close: async () => {
      stop.abort();
      await connecting;
      await follower?.stop();
      await producer.disconnect().catch(() => {});
    },
  };
}
