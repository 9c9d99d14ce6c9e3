/**
 * The link facts between Central instances (`central.links`, one partition, read by all): each
 * instance tells when a Monitor's link comes up at it, its Engine's health changes, the link
 * goes, and once a second which links it holds (its heartbeat, which is also the clock of the
 * links timeline); the CP's owner relays its orders to the Monitor through the holder.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import { type Follower, followTopic } from "../../shared/kafka/follow.ts";
import type { Publisher } from "../../shared/kafka/publisher.ts";
import { type AliveLink, type LinkEvent, type OrderName, parseEvent } from "../../shared/events.ts";
import type { Topics } from "../../shared/topics.ts";
import type { Input } from "../core/inputs.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";

const log = createLogger("central");

/** A holder's heartbeat period. */
export const HEARTBEAT_MS = 1_000;

/** What the channel needs. */
export interface LinksChannelOptions {
  kafka: Kafka;
  topics: Topics;
  topicPrefix: string;
  instance: string;
  publisher: Publisher;
  dispatch(input: Input): Promise<void>;
  /** The links this instance holds now. */
  held(): AliveLink[];
  /** Sends an order on a link this instance holds; resolves with the Monitor's answer. */
  sendOrder(cpId: string, linkId: string, order: OrderName): Promise<string>;
}

/** The links topic, both ways. */
export class LinksChannel {
  #follower: Follower | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly o: LinksChannelOptions) {}

  /** Follows the topic from now on and starts the heartbeat. */
  async start(): Promise<void> {
    this.#follower = await followTopic({
      kafka: this.o.kafka,
      topic: this.o.topics.links,
      groupPrefix: `${this.o.topicPrefix}central.links.${this.o.instance}`,
      onMessage: (m) => {
        const e = parseEvent(
          m.value,
          [
            "link.up",
            "link.health",
            "link.down",
            "links.alive",
            "link.order",
            "link.order.result",
          ] as const,
        );
        if (typeof e === "string") return log.warn(`skipped a bad link fact: ${e}`);
        return this.#received(e, Date.parse(e.at));
      },
    });
    this.#beat();
    this.#heartbeat = setInterval(() => this.#beat(), HEARTBEAT_MS);
  }

  /** Publishes a fact about a link held here. */
  tell(fact: Extract<LinkEvent, { type: "link.up" | "link.health" | "link.down" }>): void {
    this.o.publisher.publish(fact).catch((e) =>
      log.warn(`link fact of ${fact.cpId} not published: ${errorMessage(e)}`)
    );
  }

  /** Relays an order to a CP's Monitor, wherever its link is held. */
  orderMonitor(cpId: string, holder: string, linkId: string, order: OrderName): void {
    if (holder === this.o.instance) {
      this.#order(cpId, linkId, order).then((outcome) =>
        this.o.dispatch({ type: "orderOutcome", cpId, order, outcome })
      ).catch((e) => log.warn(`order to ${cpId}: ${errorMessage(e)}`));
      return;
    }
    this.o.publisher.publish({
      type: "link.order",
      cpId,
      holder,
      linkId,
      order,
      from: this.o.instance,
    }).catch((e) => log.warn(`order to ${cpId} not relayed: ${errorMessage(e)}`));
  }

  /** Stops. */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    await this.#follower?.stop();
  }

  #beat(): void {
    this.o.publisher.publish({ type: "links.alive", holder: this.o.instance, links: this.o.held() })
      .catch((e) => log.debug(`heartbeat not published: ${errorMessage(e)}`));
  }

  async #order(cpId: string, linkId: string, order: OrderName): Promise<string> {
    try {
      return await this.o.sendOrder(cpId, linkId, order);
    } catch (e) {
      return errorMessage(e);
    }
  }

  async #received(e: LinkEvent, at: number): Promise<void> {
    switch (e.type) {
      case "link.up":
        return await this.o.dispatch({
          type: "linkUp",
          cpId: e.cpId,
          holder: e.holder,
          linkId: e.linkId,
          engineOk: e.engineOk,
          location: e.location,
          pricePerKwh: e.pricePerKwh,
        });
      case "link.health":
        return await this.o.dispatch({ type: "linkHealth", ...pick(e), engineOk: e.engineOk });
      case "link.down":
        return await this.o.dispatch({ type: "linkDown", ...pick(e), reason: e.reason });
      case "links.alive":
        return await this.o.dispatch({ type: "linksAlive", holder: e.holder, at, links: e.links });
      case "link.order": {
        if (e.holder !== this.o.instance) return;
        const outcome = await this.#order(e.cpId, e.linkId, e.order);
        await this.o.publisher.publish({
          type: "link.order.result",
          cpId: e.cpId,
          order: e.order,
          outcome,
          to: e.from,
        });
        return;
      }
      case "link.order.result":
        if (e.to !== this.o.instance) return;
        return await this.o.dispatch({
          type: "orderOutcome",
          cpId: e.cpId,
          order: e.order,
          outcome: e.outcome,
        });
    }
  }
}

function pick(e: { cpId: string; holder: string; linkId: string }) {
  return { cpId: e.cpId, holder: e.holder, linkId: e.linkId };
}
