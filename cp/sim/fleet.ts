/**
 * Many CPs in one process, each a real Engine (its own socket server) and a real Monitor (its own
 * sockets to the Engine and to Central), sharing one Kafka connection: telemetry is batched, and
 * Central's commands are followed once and handed to each Engine by key.
 *
 * @module
 */
import { Engine } from "../engine/engine.ts";
import { serveMonitors } from "../engine/monitor_server.ts";
import { EngineIdentity } from "../engine/identity.ts";
import { commandDispatcher, engineUplink } from "../engine/uplink.ts";
import { Monitor } from "../monitor/monitor.ts";
import { createKafka, createProducer } from "../../shared/kafka/client.ts";
import { type Follower, followTopic } from "../../shared/kafka/follow.ts";
import { topicNames } from "../../shared/topics.ts";
import { Batcher } from "../../shared/kafka/batcher.ts";

/** One simulated CP. */
export interface SimCp {
  engine: Engine;
  monitor: Monitor;
  server: { close(): Promise<void> };
}

/** How the fleet is set up. */
export interface FleetOptions {
  ids: string[];
  secretOf: (id: string) => string;
  brokers: string;
  topicPrefix: string;
  /** Central's instances, tried in turn. */
  central: { hostname: string; port: number }[];
  maxKw: number;
  autoPlug: number;
  autoUnplug: number;
}

/** The running fleet. */
export class Fleet {
  readonly cps = new Map<string, SimCp>();
  readonly #kafka;
  readonly #producer;
  readonly #batcher;
  #follower: Follower | undefined;

  constructor(private readonly o: FleetOptions) {
    this.#kafka = createKafka({ brokers: o.brokers, clientId: "ev-sim-fleet", logSource: "kafka" });
    this.#producer = createProducer(this.#kafka);
    this.#batcher = new Batcher(this.#producer);
  }

  /** Connects to Kafka, then starts every CP (Engines first, then their Monitors). */
  async start(onProgress: (started: number) => void): Promise<void> {
    await this.#producer.connect();
    const topics = topicNames(this.o.topicPrefix);
    this.#follower = await followTopic({
      kafka: this.#kafka,
      topic: topics.commands,
      groupPrefix: `${this.o.topicPrefix}sim.fleet`,
      onMessage: commandDispatcher((id) => this.cps.get(id)?.engine),
    });
    const send = (topic: string, key: string, body: Parameters<Batcher["send"]>[2]) =>
      this.#batcher.send(topic, key, body);
    for (const [i, id] of this.o.ids.entries()) {
      const engine = new Engine({
        id,
        maxKw: this.o.maxKw,
        autoPlug: this.o.autoPlug,
        autoUnplug: this.o.autoUnplug,
      });
      engine.setUplink(engineUplink(engine, topics, send));
      engine.setKafkaReady(true); // the fleet follows Central's orders before any CP starts
      await engine.start();
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const server = serveMonitors(listener, {
        engine: () => engine,
        identity: new EngineIdentity(id),
      });
      const monitor = new Monitor({
        id,
        secret: this.o.secretOf(id),
        location: "",
        engine: { hostname: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port },
        central: this.o.central,
      });
      monitor.start();
      this.cps.set(id, { engine, monitor, server });
      if (i % 100 === 99) {
        onProgress(i + 1);
        await new Promise((r) => setTimeout(r, 10)); // let the new links breathe
      }
    }
  }

  /** How many CPs are registered with Central, and how many are supplying. */
  counts(): { registered: number; charging: number } {
    let registered = 0;
    let charging = 0;
    for (const cp of this.cps.values()) {
      if (cp.monitor.central === "connected") registered++;
      if (cp.engine.supply?.phase === "charging") charging++;
    }
    return { registered, charging };
  }

  /** Stops everything. */
  async stop(): Promise<void> {
    await Promise.all([...this.cps.values()].map(async (cp) => {
      cp.engine.stop();
      await cp.monitor.stop();
      await cp.server.close();
    }));
    await this.#batcher.flush();
    await this.#follower?.stop();
    await this.#producer.disconnect().catch(() => {});
  }
}
