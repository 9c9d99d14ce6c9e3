/**
 * A driver's app, over Kafka: sends supply requests (and a hello, so that Central shows it a
 * supply that went on while it was away), follows its own notifications (by its id: it never
 * sees another driver's) and the network view, and turns them into {@link DriverEvent}s.
 *
 * @module
 */
import type { Producer } from "kafkajs";
import { createKafka, createProducer } from "../shared/kafka/client.ts";
import { type Follower, followTopic } from "../shared/kafka/follow.ts";
import { closeInTime } from "../shared/kafka/closing.ts";
import { route, topicNames, type Topics } from "../shared/topics.ts";
import {
  encodeEvent,
  envelope,
  type Event,
  type NotificationEvent,
  parseEvent,
} from "../shared/events.ts";
import type { CpView } from "../shared/cp_view.ts";
import { RecentIds } from "../shared/recent_ids.ts";
import { createLogger, errorMessage } from "../shared/log.ts";
import type { Emit } from "./output.ts";
import { isMine } from "./mine.ts";

const log = createLogger("driver");

/** Central publishes the network view at least this often; silence longer means it is away. */
const CENTRAL_SILENCE_MS = 6_000;

/** How a request ended. */
export type Outcome = "ticket" | "denied" | "error";

/** Options of {@link Driver}. */
export interface DriverOptions {
  id: string;
  brokers: string;
  topicPrefix: string;
  emit: Emit;
  /** Show every network view change (interactive and JSON); else only the first. */
  showNetwork: boolean;
}

/** One driver's connection to the network. */
export class Driver {
  readonly topics: Topics;
  cps: CpView[] = [];
  centralSeen = 0;
  readonly #kafka;
  readonly #producer: Producer;
  readonly #followers: Follower[] = [];
  readonly #seen = new RecentIds(5000);
  readonly #tickets = new Set<string>();
  /** The request in flight and the session it was given. */
  #current:
    | { requestId: string; cp: string; sessionId?: string; done: (o: Outcome) => void }
    | undefined;
  #lastAnswer = 0;
  /** Supplies in progress that Central showed this driver when it (re)started, by CP. */
  readonly #resumed = new Map<string, string>();
  #networkText = "";
  readonly #views = new Map<string, CpView>();
  #listeners = new Set<() => void>();

  constructor(readonly o: DriverOptions) {
    this.topics = topicNames(o.topicPrefix);
    this.#kafka = createKafka({
      brokers: o.brokers,
      clientId: `ev-driver-${o.id}`,
      logSource: "kafka",
    });
    this.#producer = createProducer(this.#kafka);
  }

  /** Calls `listener` after every change (for a panel). */
  onChange(listener: () => void): void {
    this.#listeners.add(listener);
  }

  /** Connects, follows its notifications and the network, and says hello to Central. */
  async connect(): Promise<void> {
    await this.#producer.connect();
    this.#followers.push(
      await followTopic({
        kafka: this.#kafka,
        topic: this.topics.notifications,
        groupPrefix: `${this.o.topicPrefix}driver.${this.o.id}`,
        onMessage: (m) => {
          const key = m.key?.toString();
          if (key !== this.o.id) return; // (not even parsed)
          const e = parseEvent(
            m.value,
            ["authorized", "denied", "progress", "expired", "ticket"] as const,
          );
          if (typeof e === "string") return log.warn(`skipped a bad notification: ${e}`);
          if (!isMine(this.o.id, key, e) || !this.#seen.add(e.id)) return;
          return this.#notified(e);
        },
      }),
      await followTopic({
        kafka: this.#kafka,
        topic: this.topics.network,
        groupPrefix: `${this.o.topicPrefix}driver.${this.o.id}.network`,
        from: "last",
        onMessage: (m) => {
          const e = parseEvent(m.value, ["network"] as const);
          if (typeof e === "string") return log.warn(`skipped a bad network view: ${e}`);
          this.#network(e, Date.parse(e.at));
        },
      }),
    );
    await this.#send({ type: "driver.hello", driverId: this.o.id });
  }

  /** Whether Central was heard from lately. */
  get centralReachable(): boolean {
    return Date.now() - this.centralSeen < CENTRAL_SILENCE_MS;
  }

  /** Ms since the last answer to the request in flight (or since it was sent). */
  get silentFor(): number {
    return Date.now() - this.#lastAnswer;
  }

  /** Asks for a supply at `cp`; resolves with its outcome. */
  request(cp: string): Promise<Outcome> {
    const requestId = crypto.randomUUID();
    return new Promise<Outcome>((resolve) => {
      this.#current = { requestId, cp, sessionId: this.#resumed.get(cp), done: resolve };
      this.#lastAnswer = Date.now();
      this.#send(
        { type: "supply.request", driverId: this.o.id, cpId: cp, source: "driver" },
        requestId,
      )
        .then(() => this.o.emit({ type: "sent", cp, requestId }))
        .catch((e) =>
          this.#finish("error", {
            type: "error",
            cp,
            message: `request not sent: ${errorMessage(e)}`,
          })
        );
    }).finally(() => (this.#current = undefined));
  }

  /** Gives up on the request in flight (timeout). */
  abandon(message: string): void {
    const current = this.#current;
    if (current) this.#finish("error", { type: "error", cp: current.cp, message });
  }

  /** Disconnects. */
  async close(): Promise<void> {
    await Promise.all(this.#followers.map((f) => f.stop()));
    await closeInTime("the driver's producer", () => this.#producer.disconnect());
  }

  async #notified(e: Event<NotificationEvent>): Promise<void> {
    const current = this.#current;
    const mine = current &&
      (e.type === "authorized" || e.type === "denied"
        ? e.requestId === current.requestId ||
          (e.type === "authorized" && e.resumed && e.cpId === current.cp && !current.sessionId)
        : e.sessionId === current.sessionId);
    if (mine) this.#lastAnswer = Date.now();
    switch (e.type) {
      case "authorized":
        // told its supply twice (its hello's answer and its request's, in either order): once
        if (current?.sessionId === e.sessionId) return;
        if (e.resumed) this.#resumed.set(e.cpId, e.sessionId);
        if (mine) current!.sessionId = e.sessionId;
        else if (!e.resumed) return;
        this.o.emit({
          type: "authorized",
          cp: e.cpId,
          sessionId: e.sessionId,
          pricePerKwh: e.pricePerKwh,
          resumed: e.resumed,
        });
        break;
      case "denied":
        // a driver started again while its supply goes on follows that supply to its ticket
        if (mine && current!.sessionId) log.info(`following the supply in progress at ${e.cpId}`);
        else if (mine) this.#finish("denied", { type: "denied", cp: e.cpId, reason: e.reason });
        break;
      case "progress":
        this.o.emit({
          type: "progress",
          cp: e.cpId,
          sessionId: e.sessionId,
          kw: e.kw,
          kwh: e.kwh,
          eur: e.eur,
        });
        break;
      case "expired":
        if (mine) {
          this.#finish("error", {
            type: "error",
            cp: e.cpId,
            message: `reservation released: ${e.reason}`,
          });
        }
        break;
      case "ticket": {
        if (this.#tickets.has(e.sessionId)) return; // a ticket is shown once
        this.#tickets.add(e.sessionId);
        if (this.#resumed.get(e.cpId) === e.sessionId) this.#resumed.delete(e.cpId);
        const { sessionId, kwh, eur, start, end, partial, reason, resent } = e;
        const ticket = {
          type: "ticket" as const,
          cp: e.cpId,
          sessionId,
          kwh,
          eur,
          start,
          end,
          partial,
          reason,
          ...(resent ? { resent } : {}),
        };
        await this.#send({ type: "ticket.ack", driverId: this.o.id, sessionId }).catch(() => {});
        if (mine) this.#finish("ticket", ticket);
        else this.o.emit(ticket);
        break;
      }
    }
    this.#changed();
  }

  #finish(outcome: Outcome, event: Parameters<Emit>[0]): void {
    this.o.emit(event);
    const current = this.#current;
    this.#current = undefined;
    current?.done(outcome);
  }

  /** Each Central instance announces the CPs it owns: together they are the network. */
  #network(e: { cps: CpView[]; removed?: string[] }, at: number): void {
    this.centralSeen = Math.max(this.centralSeen, Math.min(at, Date.now()));
    for (const cp of e.cps) this.#views.set(cp.id, cp);
    for (const id of e.removed ?? []) this.#views.delete(id);
    const cps = [...this.#views.values()].sort((a, b) => a.id.localeCompare(b.id));
    this.cps = cps;
    const text = cps.map((c) => `${c.id}:${c.state}`).join(",");
    if (text !== this.#networkText && (this.o.showNetwork || this.#networkText === "")) {
      this.o.emit({ type: "network", cps });
    }
    this.#networkText = text;
    this.#changed();
  }

  #send(body: Parameters<typeof envelope>[0], id?: string): Promise<void> {
    const { topic, key } = route(this.topics, body);
    return this.#producer.send({
      topic,
      messages: [{ key, value: encodeEvent(envelope(body, id)) }],
    })
      .then(() => {});
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }
}
