/**
 * One part of the fleet, in one process: many CPs, each a real Engine (its own socket server)
 * and a real Monitor (its own sockets to the Engine and to Central), speaking the real protocol
 * over real TCP sockets. What they share is what a process can share without cutting a corner:
 * one timer wheel for every tick, check, report and pause (staggered over the second), one
 * measure of the process's lateness (so that its Monitors never take it for their Engines'
 * silence), and one Kafka connection (telemetry sent in batches, Central's commands followed
 * once and handed to each Engine by key).
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
import { envelope, type EventBody } from "../../shared/events.ts";
import { TimerWheel } from "../../shared/timer_wheel.ts";
import { LoopLag } from "../../shared/loop_lag.ts";
import { sleepOn } from "../../shared/scheduler.ts";
import { errorMessage } from "../../shared/log.ts";

/** Sockets a CP holds in the simulator: Engine listener, both ends of its Monitor link, Central. */
export const FILES_PER_CP = 4;

/** One simulated CP. */
interface SimCp {
  engine: Engine;
  monitor: Monitor;
  server: { close(): Promise<void> };
  /** A fault injected now (its recovery is due). */
  injected: boolean;
}

/** The secret the simulator enrolls CP `id` with (and its Monitor proves it by). */
export function simSecret(id: string): string {
  return `sim-secret-${id}`;
}

/** How a part is set up. */
export interface PartOptions {
  ids: string[];
  brokers: string;
  topicPrefix: string;
  /** Central's instances, tried in turn. */
  central: { hostname: string; port: number }[];
  maxKw: number;
  autoPlug: number;
  autoUnplug: number;
  /** CPs started per second (a ramp, so that Central is not asked for 10,000 AUTHs at once). */
  startRate: number;
  /**
   * Told of every progress record the broker has: its session, kWh, envelope time and when the
   * broker acknowledged it (epoch ms).
   */
  onProgressSent?: (sessionId: string, kwh: number, atMs: number, ackedMs: number) => void;
}

/** What a part saw, for the progress line. */
export interface PartFigures {
  cps: number;
  started: number;
  /** By the Monitors' view: registered with Central, and the state Central answered. */
  registered: number;
  byState: Record<string, number>;
  /** Engines supplying now. */
  charging: number;
  /** Telemetry records sent so far. */
  sent: number;
  /** Engine KO reported by a Monitor whose Engine was not failed on purpose. */
  falseKo: number;
  /** Links to Central lost (not at the part's stop). */
  centralLost: number;
  lagNowMs: number;
  lagMaxMs: number;
  lagP99Ms: number;
}

/** Many CPs in this process. */
export class FleetPart {
  readonly #cps = new Map<string, SimCp>();
  readonly #wheel = new TimerWheel({ slotMs: 25 });
  readonly lag = new LoopLag({ scheduler: this.#wheel, io: true });
  readonly #kafka;
  readonly #producer;
  readonly #batcher;
  #follower: Follower | undefined;
  #started = 0;
  #sent = 0;
  #falseKo = 0;
  #centralLost = 0;
  #stopping = false;
  readonly #stopped = new AbortController();
  #starting: Promise<void> | undefined;

  constructor(private readonly o: PartOptions) {
    this.#kafka = createKafka({ brokers: o.brokers, clientId: "ev-sim-fleet", logSource: "kafka" });
    this.#producer = createProducer(this.#kafka);
    // a linger of 0: the records of one wheel slot (its CPs tick together) go in one batch, and none
    // waits for more
    this.#batcher = new Batcher(this.#producer, 0, {
      renew: () => createProducer(this.#kafka),
    });
  }

  /** Connects to Kafka, then starts every CP (Engine first, then its Monitor), at the ramp's pace. */
  start(onProgress: (started: number) => void = () => {}): Promise<void> {
    this.#starting ??= this.#start(onProgress);
    return this.#starting;
  }

  async #start(onProgress: (started: number) => void): Promise<void> {
    await this.#producer.connect();
    if (this.#stopping) return;
    const topics = topicNames(this.o.topicPrefix);
    this.#follower = await followTopic({
      kafka: this.#kafka,
      topic: topics.commands,
      groupPrefix: `${this.o.topicPrefix}sim.fleet`,
      onMessage: commandDispatcher((id) => this.#cps.get(id)?.engine),
    });
    const send = (topic: string, key: string, body: EventBody) => {
      const event = envelope(body);
      const sent = this.#batcher.sendEvent(topic, key, event);
      if (body.type === "supply.progress") {
        this.#sent++;
        const at = Date.parse(event.at);
        const { sessionId, kwh } = body;
        sent.then(() => this.o.onProgressSent?.(sessionId, kwh, at, Date.now()), () => {});
      }
      return sent;
    };
    const t0 = performance.now();
    for (const [i, id] of this.o.ids.entries()) {
      if (this.#stopping) return;
      this.#startCp(id, topics, send);
      this.#started = i + 1;
      if (i % 50 === 49) {
        onProgress(i + 1);
        const due = t0 + ((i + 1) / this.o.startRate) * 1000;
        await sleepOn(this.#wheel, Math.max(0, due - performance.now()), this.#stopped.signal);
      }
    }
    onProgress(this.o.ids.length);
  }

  #startCp(
    id: string,
    topics: ReturnType<typeof topicNames>,
    send: (topic: string, key: string, body: EventBody) => Promise<void>,
  ): void {
    const engine = new Engine({
      id,
      maxKw: this.o.maxKw,
      autoPlug: this.o.autoPlug,
      autoUnplug: this.o.autoUnplug,
      scheduler: this.#wheel,
    });
    engine.setUplink(engineUplink(engine, topics, send));
    engine.setKafkaReady(true); // the part follows Central's orders before any CP starts
    void engine.start();
    let listener: Deno.TcpListener;
    try {
      listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    } catch (e) {
      throw new Error(
        `cannot start CP ${id} (${this.#cps.size} started in this process): ${errorMessage(e)}. ` +
          `Each CP holds ${FILES_PER_CP} sockets: raise the open-files limit (ulimit -n) or ` +
          `spread the fleet over more processes (--workers)`,
      );
    }
    const server = serveMonitors(listener, {
      engine: () => engine,
      identity: new EngineIdentity(id),
      lag: this.lag,
      scheduler: this.#wheel,
    });
    const monitor = new Monitor({
      id,
      secret: simSecret(id),
      location: "",
      engine: { hostname: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port },
      central: this.o.central,
      lag: this.lag,
      scheduler: this.#wheel,
    });
    const cp: SimCp = { engine, monitor, server, injected: false };
    let health = monitor.engineHealth;
    let central = monitor.central;
    monitor.onChange(() => {
      if (monitor.engineHealth !== health) {
        health = monitor.engineHealth;
        if (health === "KO" && !cp.injected && engine.health === "OK" && !this.#stopping) {
          this.#falseKo++;
        }
      }
      if (monitor.central !== central) {
        if (central === "connected" && !this.#stopping) this.#centralLost++;
        central = monitor.central;
      }
    });
    monitor.start();
    this.#cps.set(id, cp);
  }

  /** Fails a CP's Engine on purpose (KO), and recovers it `seconds` later. */
  fail(id: string, seconds: number): boolean {
    const cp = this.#cps.get(id);
    if (!cp || cp.injected) return false;
    cp.injected = true;
    cp.engine.fail();
    this.#wheel.after(seconds * 1000, () => {
      cp.engine.recover();
      // counted as injected until its Monitor has seen it OK again
      this.#wheel.after(3_000, () => (cp.injected = false));
    });
    return true;
  }

  /** Unplugs every car that charges now (the fleet's load drops); how many. */
  unplugAll(): number {
    let n = 0;
    for (const cp of this.#cps.values()) {
      if (cp.engine.supply?.phase === "charging") {
        cp.engine.unplug();
        n++;
      }
    }
    return n;
  }

  /** What the part saw so far. */
  figures(): PartFigures {
    const byState: Record<string, number> = {};
    let registered = 0;
    let charging = 0;
    for (const cp of this.#cps.values()) {
      if (cp.monitor.central === "connected") {
        registered++;
        const state = cp.monitor.cpState || "?";
        byState[state] = (byState[state] ?? 0) + 1;
      }
      if (cp.engine.supply?.phase === "charging") charging++;
    }
    const lag = this.lag.figures(5_000);
    return {
      cps: this.o.ids.length,
      started: this.#started,
      registered,
      byState,
      charging,
      sent: this.#sent,
      falseKo: this.#falseKo,
      centralLost: this.#centralLost,
      lagNowMs: lag.nowMs,
      lagMaxMs: lag.maxMs,
      lagP99Ms: lag.p99Ms,
    };
  }

  /** Stops everything. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#stopped.abort();
    await this.#starting?.catch(() => {});
    await Promise.all([...this.#cps.values()].map(async (cp) => {
      cp.engine.stop();
      await cp.monitor.stop();
      await cp.server.close();
    }));
    await this.#follower?.stop();
    await this.#batcher.close();
    this.lag.close();
    this.#wheel.close();
  }
}
