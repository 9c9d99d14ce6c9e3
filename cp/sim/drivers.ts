/**
 * Many drivers in one process over one Kafka connection: each asks for a charge at its CP, waits
 * for the outcome, pauses, and asks again. The time from a request to its answer (authorized or
 * denied) is measured, for the figures the simulator prints.
 *
 * @module
 */
import { createKafka, createProducer } from "../../shared/kafka/client.ts";
import { type Follower, followTopic } from "../../shared/kafka/follow.ts";
import { route, topicNames } from "../../shared/topics.ts";
import { parseEvent } from "../../shared/events.ts";
import { sleep } from "../../shared/backoff.ts";
import { Batcher } from "../../shared/kafka/batcher.ts";

/** How the drivers behave. */
export interface SimDriversOptions {
  /** Driver id → the CP it charges at. */
  plan: Map<string, string>;
  brokers: string;
  topicPrefix: string;
  /** Seconds between an outcome and the next request. */
  pause: number;
  /** Give up on an outcome after this long, in seconds. */
  timeout: number;
}

/** What the drivers saw so far. */
export interface DriverFigures {
  requests: number;
  authorized: number;
  denied: number;
  tickets: number;
  timeouts: number;
  /** Request → answer times, ms (the last 10,000). */
  latencies: number[];
}

type Waiter = {
  requestId: string;
  sessionId?: string;
  sent: number;
  done: (outcome: string) => void;
};

/** The simulated drivers. */
export class SimDrivers {
  readonly figures: DriverFigures = {
    requests: 0,
    authorized: 0,
    denied: 0,
    tickets: 0,
    timeouts: 0,
    latencies: [],
  };
  readonly #kafka;
  readonly #producer;
  readonly #batcher;
  readonly #waiting = new Map<string, Waiter>();
  readonly #stop = new AbortController();
  #follower: Follower | undefined;
  #loops: Promise<void>[] = [];

  constructor(private readonly o: SimDriversOptions) {
    this.#kafka = createKafka({
      brokers: o.brokers,
      clientId: "ev-sim-drivers",
      logSource: "kafka",
    });
    this.#producer = createProducer(this.#kafka);
    this.#batcher = new Batcher(this.#producer, 1);
  }

  /** Connects and starts every driver's loop. */
  async start(): Promise<void> {
    await this.#producer.connect();
    const topics = topicNames(this.o.topicPrefix);
    this.#follower = await followTopic({
      kafka: this.#kafka,
      topic: topics.notifications,
      groupPrefix: `${this.o.topicPrefix}sim.drivers`,
      onMessage: (m) => {
        const waiter = this.#waiting.get(m.key?.toString() ?? "");
        if (!waiter) return;
        const e = parseEvent(m.value, ["authorized", "denied", "expired", "ticket"] as const);
        if (typeof e === "string") return;
        if ((e.type === "authorized" || e.type === "denied") && e.requestId === waiter.requestId) {
          this.#latency(performance.now() - waiter.sent);
          if (e.type === "denied") {
            this.figures.denied++;
            return waiter.done("denied");
          }
          this.figures.authorized++;
          waiter.sessionId = e.sessionId;
        } else if (
          e.type !== "authorized" && e.type !== "denied" && e.sessionId === waiter.sessionId
        ) {
          if (e.type === "ticket") this.figures.tickets++;
          waiter.done(e.type);
        }
      },
    });
    const send = (driverId: string, cpId: string, id: string) => {
      const body = { type: "supply.request", driverId, cpId, source: "driver" } as const;
      const { topic, key } = route(topics, body);
      return this.#batcher.send(topic, key, body, id);
    };
    for (const [driverId, cpId] of this.o.plan) this.#loops.push(this.#loop(driverId, cpId, send));
  }

  async #loop(
    driverId: string,
    cpId: string,
    send: (d: string, c: string, id: string) => Promise<void>,
  ): Promise<void> {
    const signal = this.#stop.signal;
    await sleep(Math.random() * 2000, signal); // not all at once
    while (!signal.aborted) {
      const requestId = crypto.randomUUID();
      const outcome = new Promise<string>((resolve) => {
        this.#waiting.set(driverId, { requestId, sent: performance.now(), done: resolve });
      });
      this.figures.requests++;
      await send(driverId, cpId, requestId).catch(() => {});
      const result = await Promise.race([
        outcome,
        sleep(this.o.timeout * 1000, signal).then(() => "timeout"),
      ]);
      if (result === "timeout" && !signal.aborted) this.figures.timeouts++;
      this.#waiting.delete(driverId);
      await sleep(this.o.pause * 1000, signal);
    }
  }

  #latency(ms: number): void {
    this.figures.latencies.push(ms);
    if (this.figures.latencies.length > 10_000) this.figures.latencies.shift();
  }

  /** Stops the loops and the connection. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#loops);
    await this.#batcher.flush();
    await this.#follower?.stop();
    await this.#producer.disconnect().catch(() => {});
  }
}

/** The `p`th percentile (0-100) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
