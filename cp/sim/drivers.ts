/**
 * Many drivers in one process over one Kafka connection. Each closed-loop driver asks for a
 * charge at its CP, waits for the outcome, pauses, and asks again; {@link SimDrivers.ask} also
 * serves open-loop probes. Measured: request → answer (authorized or denied), tickets (exactly
 * one per supply that ends), and every `progress` notification's arrival, for the end-to-end
 * probe.
 *
 * @module
 */
import { createKafka, createProducer } from "../../shared/kafka/client.ts";
import { type Follower, followTopic } from "../../shared/kafka/follow.ts";
import { route, topicNames } from "../../shared/topics.ts";
import { parseEvent } from "../../shared/events.ts";
import { sleep } from "../../shared/backoff.ts";
import { Batcher } from "../../shared/kafka/batcher.ts";
import { Histogram } from "./histogram.ts";

/** How the drivers behave. */
export interface SimDriversOptions {
  brokers: string;
  topicPrefix: string;
  /** Give up on an answer, or on the end of a supply, after this long, in seconds. */
  timeout: number;
  /**
   * Told of every progress notification of a supply of ours: its arrival, and when Central
   * published it (the record's timestamp), epoch ms.
   */
  onProgress?: (sessionId: string, kwh: number, receivedMs: number, relayedMs: number) => void;
}

/** What the drivers saw so far. */
export interface DriverFigures {
  requests: number;
  authorized: number;
  denied: number;
  /** Denials by reason. */
  deniedFor: Record<string, number>;
  tickets: number;
  /** Tickets of a supply already ticketed (must stay 0). */
  duplicateTickets: number;
  /** Partial tickets (the supply ended early), by reason. */
  partialFor: Record<string, number>;
  expired: number;
  timeouts: number;
}

/** The answer to one request, and the outcome of its supply. */
export interface Asked {
  /** "authorized", "denied" or "timeout". */
  answer: string;
  /** Request → answer, ms (NaN on a timeout). */
  answerMs: number;
  /**
   * Of `answerMs`, up to when Central published the answer (the record's time), and from then
   * to its arrival here (NaN on a timeout). One machine's clock in a bench.
   */
  toAnswerMs: number;
  deliveryMs: number;
  /** "ticket", "expired", "denied" or "timeout", once the supply is over. */
  outcome: Promise<string>;
}

type Waiter = {
  requestId: string;
  sessionId?: string;
  sent: number;
  /** Epoch ms: when it was asked, and when Central published the answer. */
  sentAt: number;
  answerAt?: number;
  answered(kind: string): void;
  ended(kind: string): void;
};

/** The simulated drivers. */
export class SimDrivers {
  readonly figures: DriverFigures = {
    requests: 0,
    authorized: 0,
    denied: 0,
    deniedFor: {},
    tickets: 0,
    duplicateTickets: 0,
    partialFor: {},
    expired: 0,
    timeouts: 0,
  };
  /** Request → answer of the closed-loop drivers. */
  readonly answers = new Histogram();
  readonly #kafka;
  readonly #producer;
  readonly #batcher;
  readonly #waiting = new Map<string, Waiter>();
  readonly #ticketed = new Set<string>();
  readonly #stop = new AbortController();
  /** Set: the closed loops ask no more (what they asked still ends). */
  #finishing = false;
  #follower: Follower | undefined;
  #loops: Promise<void>[] = [];
  #topics;

  constructor(private readonly o: SimDriversOptions) {
    this.#kafka = createKafka({
      brokers: o.brokers,
      clientId: "ev-sim-drivers",
      logSource: "kafka",
    });
    this.#producer = createProducer(this.#kafka);
    this.#batcher = new Batcher(this.#producer, 0, {
      renew: () => createProducer(this.#kafka),
    });
    this.#topics = topicNames(o.topicPrefix);
  }

  /** Connects, and follows the drivers' notifications. */
  async start(): Promise<void> {
    await this.#producer.connect();
    this.#follower = await followTopic({
      kafka: this.#kafka,
      topic: this.#topics.notifications,
      groupPrefix: `${this.o.topicPrefix}sim.drivers`,
      onMessage: (m) => {
        const waiter = this.#waiting.get(m.key?.toString() ?? "");
        if (!waiter) return;
        const e = parseEvent(
          m.value,
          ["authorized", "denied", "progress", "expired", "ticket"] as const,
        );
        if (typeof e === "string") return;
        if (e.type === "progress") {
          if (e.sessionId === waiter.sessionId) {
            this.o.onProgress?.(e.sessionId, e.kwh, Date.now(), Number(m.timestamp));
          }
        } else if (e.type === "authorized" || e.type === "denied") {
          if (e.requestId !== waiter.requestId) return;
          waiter.answerAt = Number(m.timestamp);
          if (e.type === "denied") {
            this.figures.denied++;
            this.figures.deniedFor[e.reason] = (this.figures.deniedFor[e.reason] ?? 0) + 1;
            waiter.answered("denied");
            return waiter.ended("denied");
          }
          this.figures.authorized++;
          waiter.sessionId = e.sessionId;
          waiter.answered("authorized");
        } else if (e.sessionId === waiter.sessionId) {
          if (e.type === "ticket") {
            if (this.#ticketed.has(e.sessionId)) return void this.figures.duplicateTickets++;
            this.#ticketed.add(e.sessionId);
            this.figures.tickets++;
            if (e.partial) {
              this.figures.partialFor[e.reason] = (this.figures.partialFor[e.reason] ?? 0) + 1;
            }
          } else this.figures.expired++;
          waiter.ended(e.type);
        }
      },
    });
  }

  /** Driver `driverId` asks for a charge at `cpId` (one request at a time per driver). */
  async ask(driverId: string, cpId: string): Promise<Asked> {
    const requestId = crypto.randomUUID();
    let answered!: (kind: string) => void;
    let ended!: (kind: string) => void;
    const answer = new Promise<string>((resolve) => (answered = resolve));
    const outcome = new Promise<string>((resolve) => (ended = resolve));
    const waiter: Waiter = {
      requestId,
      sent: performance.now(),
      sentAt: Date.now(),
      answered,
      ended,
    };
    this.#waiting.set(driverId, waiter);
    this.figures.requests++;
    const body = { type: "supply.request", driverId, cpId, source: "driver" } as const;
    const { topic, key } = route(this.#topics, body);
    this.#batcher.send(topic, key, body, requestId).catch(() => {});
    const signal = this.#stop.signal;
    const limit = (p: Promise<string>) =>
      Promise.race([p, sleep(this.o.timeout * 1000, signal).then(() => "timeout")]);
    const kind = await limit(answer);
    const answerMs = kind === "timeout" ? NaN : performance.now() - waiter.sent;
    const toAnswerMs = (waiter.answerAt ?? NaN) - waiter.sentAt;
    const deliveryMs = answerMs - toAnswerMs;
    const done = (kind === "authorized" ? limit(outcome) : Promise.resolve(kind)).then((k) => {
      if (k === "timeout" && !signal.aborted) this.figures.timeouts++;
      if (this.#waiting.get(driverId) === waiter) this.#waiting.delete(driverId);
      return k;
    });
    return { answer: kind, answerMs, toAnswerMs, deliveryMs, outcome: done };
  }

  /** Starts a closed loop per driver: ask, wait for the outcome, pause `pause` s, ask again. */
  loop(plan: Map<string, string>, pause: number): void {
    for (const [driverId, cpId] of plan) {
      this.#loops.push((async () => {
        const signal = this.#stop.signal;
        await sleep(Math.random() * 2000, signal); // not all at once
        while (!signal.aborted && !this.#finishing) {
          const asked = await this.ask(driverId, cpId);
          if (!Number.isNaN(asked.answerMs)) this.answers.add(asked.answerMs);
          await asked.outcome;
          if (!this.#finishing) await sleep(pause * 1000, signal);
        }
      })());
    }
  }

  /**
   * The closed loops ask no more; resolves once each one's last supply is over (its ticket, an
   * expiry, a denial, or a timeout).
   */
  finish(): Promise<void> {
    this.#finishing = true;
    return Promise.all(this.#loops).then(() => {});
  }

  /** Stops the loops and the connection. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#loops);
    await this.#follower?.stop();
    await this.#batcher.close();
  }
}

/** The `p`th percentile (0-100) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
