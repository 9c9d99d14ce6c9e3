/**
 * The Kafka topics of the network, defined once: names (after a configurable prefix), partition
 * counts, keys, who writes and reads each, and which topic and key every event goes out with.
 * Topics are created explicitly with these counts.
 *
 * | topic                | key       | from → to                      | carries                                   |
 * |----------------------|-----------|--------------------------------|-------------------------------------------|
 * | cp.requests          | CP id     | Drivers, Engines, Centrals → the CP's owner | supply requests, operator orders, enrolments, removals |
 * | cp.telemetry         | CP id     | Engine → the CP's owner        | supply started, progress, ended           |
 * | driver.requests      | driver id | Driver → any Central           | hellos, ticket receipts                   |
 * | driver.notifications | driver id | Central → Driver               | authorized, denied, progress, ticket      |
 * | cp.commands          | CP id     | Central → Engine               | authorize, cancel                         |
 * | network              | —         | Centrals → Drivers, Centrals   | the CPs each instance owns, and their states |
 * | central.links        | —         | Centrals → Centrals            | the Monitor links each holds; orders relayed |
 * | dead-letter          | origin    | consumers → people             | records that could not be applied, and why |
 *
 * `cp.requests` and `cp.telemetry` have the same partitions and are assigned together: one CP's
 * requests and telemetry meet in the instance that owns it, in order. They are read by separate
 * consumers, so a telemetry backlog never delays an answer to a driver.
 *
 * @module
 */
import type { TopicSpec } from "./kafka/client.ts";
import type { EventBody } from "./events.ts";

/** The topics' names for one prefix. */
export interface Topics {
  requests: string;
  telemetry: string;
  driverRequests: string;
  notifications: string;
  commands: string;
  network: string;
  links: string;
  deadLetter: string;
}

/** Partitions of the CP topics (`cp.requests`, `cp.telemetry`): how ownership is shared out. */
export const CP_PARTITIONS = 12;

/** Partitions per topic. */
const PARTITIONS: Record<keyof Topics, number> = {
  requests: CP_PARTITIONS,
  telemetry: CP_PARTITIONS,
  driverRequests: 6,
  notifications: 6,
  commands: 6,
  network: 1,
  links: 1,
  deadLetter: 1,
};

const HOUR = 3_600_000;
/** How long records are kept: a day where they matter later, an hour where only the latest do. */
const RETENTION: Record<keyof Topics, number> = {
  requests: 24 * HOUR,
  telemetry: 24 * HOUR,
  driverRequests: 24 * HOUR,
  notifications: 24 * HOUR,
  commands: 24 * HOUR,
  network: HOUR,
  links: HOUR,
  deadLetter: 7 * 24 * HOUR,
};

/** The topic names under `prefix` (e.g. `ev.`). */
export function topicNames(prefix: string): Topics {
  return {
    requests: `${prefix}cp.requests`,
    telemetry: `${prefix}cp.telemetry`,
    driverRequests: `${prefix}driver.requests`,
    notifications: `${prefix}driver.notifications`,
    commands: `${prefix}cp.commands`,
    network: `${prefix}network`,
    links: `${prefix}central.links`,
    deadLetter: `${prefix}dead-letter`,
  };
}

/** What {@link ensureTopics} needs to create them all. */
export function topicSpecs(topics: Topics): TopicSpec[] {
  return (Object.keys(topics) as (keyof Topics)[]).map((k) => ({
    topic: topics[k],
    numPartitions: PARTITIONS[k],
    config: {
      "retention.ms": String(RETENTION[k]),
      // a request is aged from when the broker took it, never by its sender's clock
      ...(k === "requests" ? { "message.timestamp.type": "LogAppendTime" } : {}),
    },
  }));
}

/** Where an event goes: its topic and its key. */
export interface Route {
  topic: string;
  key: string;
}

/**
 * The topic and key an event is published with (every program routes through this).
 *
 * @example
 * ```ts
 * route(topicNames("ev."), { type: "driver.hello", driverId: "D1" }); // { topic: "ev.driver.requests", key: "D1" }
 * ```
 */
export function route(topics: Topics, body: EventBody): Route {
  switch (body.type) {
    case "supply.request":
    case "operator.order":
    case "cp.enrolled":
    case "cp.removed":
      return { topic: topics.requests, key: body.cpId };
    case "driver.hello":
    case "ticket.ack":
      return { topic: topics.driverRequests, key: body.driverId };
    case "authorized":
    case "denied":
    case "progress":
    case "expired":
    case "ticket":
      return { topic: topics.notifications, key: body.driverId };
    case "supply.started":
    case "supply.progress":
    case "supply.ended":
      return { topic: topics.telemetry, key: body.cpId };
    case "supply.authorize":
    case "supply.cancel":
      return { topic: topics.commands, key: body.cpId };
    case "network":
      return { topic: topics.network, key: "network" };
    case "link.up":
    case "link.health":
    case "link.down":
    case "links.alive":
    case "link.order":
    case "link.order.result":
      return { topic: topics.links, key: "links" };
    case "dead.letter":
      return { topic: topics.deadLetter, key: body.topic };
  }
}
