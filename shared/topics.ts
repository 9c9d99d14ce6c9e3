/**
 * The Kafka topics of the network, defined once: names (after a configurable prefix), partition
 * counts, keys, and who writes and reads each. Topics are created explicitly with these counts.
 *
 * | topic                  | key       | from → to         | carries                              |
 * |------------------------|-----------|-------------------|--------------------------------------|
 * | driver.requests        | driver id | Driver/Engine → Central | supply requests, hellos, ticket acks |
 * | driver.notifications   | driver id | Central → Driver  | authorized, denied, progress, ticket |
 * | cp.telemetry           | CP id     | Engine → Central  | supply started, progress, ended      |
 * | cp.commands            | CP id     | Central → Engine  | authorize, cancel                    |
 * | network                | "network" | Central → Drivers | the CPs and their states             |
 *
 * Requests and telemetry are separate topics read by separate consumers, so a telemetry backlog
 * never delays an answer to a driver.
 *
 * @module
 */
import type { TopicSpec } from "./kafka/client.ts";

/** The topics' names for one prefix. */
export interface Topics {
  requests: string;
  notifications: string;
  telemetry: string;
  commands: string;
  network: string;
}

/** Partitions per topic: enough for several Centrals to share the load. */
const PARTITIONS: Record<keyof Topics, number> = {
  requests: 6,
  notifications: 6,
  telemetry: 12,
  commands: 6,
  network: 1,
};

/** The topic names under `prefix` (e.g. `ev.`). */
export function topicNames(prefix: string): Topics {
  return {
    requests: `${prefix}driver.requests`,
    notifications: `${prefix}driver.notifications`,
    telemetry: `${prefix}cp.telemetry`,
    commands: `${prefix}cp.commands`,
    network: `${prefix}network`,
  };
}

/** What {@link ensureTopics} needs to create them all. */
export function topicSpecs(topics: Topics): TopicSpec[] {
  return (Object.keys(topics) as (keyof Topics)[]).map((k) => ({
    topic: topics[k],
    numPartitions: PARTITIONS[k],
    // telemetry and notifications are worth a day; the network view only its latest
    config: k === "network"
      ? { "retention.ms": String(3_600_000) }
      : { "retention.ms": String(86_400_000) },
  }));
}
