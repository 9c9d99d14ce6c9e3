/**
 * The files a KRaft node (combined broker + controller) is started with: `server.properties`, a
 * quiet log4j2 configuration and a cluster id for formatting its storage. Pure functions.
 *
 * @module
 */

/** What {@link serverProperties} needs. */
export interface BrokerLayout {
  /** Host the client listener binds (`0.0.0.0` for every interface). */
  listenHost: string;
  port: number;
  /** Host clients are told to connect to. */
  advertiseHost: string;
  /** Port of the controller listener (always on 127.0.0.1: nothing remote needs it). */
  controllerPort: number;
  /** Absolute folder for the broker's logs (topic data and metadata). */
  logDir: string;
  /** This node's id in its cluster. @default 1 */
  nodeId?: number;
  /** Every controller of the cluster: id and controller port (on 127.0.0.1). @default this node */
  voters?: { id: number; port: number }[];
}

/**
 * The replication a cluster of `brokers` gives its topics: min(3, brokers) replicas, and 2 of
 * them in sync for a write to count where there are three (so losing one broker loses nothing).
 *
 * @example
 * ```ts
 * import { replicationFor } from "./broker_config.ts";
 * console.log(replicationFor(3)); // { replicas: 3, minInSync: 2 }
 * console.log(replicationFor(1)); // { replicas: 1, minInSync: 1 }
 * ```
 */
export function replicationFor(brokers: number): { replicas: number; minInSync: number } {
  const replicas = Math.min(3, Math.max(1, brokers));
  return { replicas, minInSync: replicas >= 3 ? 2 : 1 };
}

/**
 * `server.properties` of a combined broker+controller node: replication as {@link replicationFor}
 * its cluster's size (1 for a single node), no automatic topic creation, no initial rebalance
 * delay and short group session timeouts allowed. In a cluster, a broker that stops answering is
 * fenced after 4 s (instead of 9), so its partitions get another leader sooner.
 */
export function serverProperties(l: BrokerLayout): string {
  const host = (h: string) => (h.includes(":") ? `[${h}]` : h);
  const nodeId = l.nodeId ?? 1;
  const voters = l.voters ?? [{ id: nodeId, port: l.controllerPort }];
  const { replicas, minInSync } = replicationFor(voters.length);
  const cluster: [string, string | number][] = voters.length > 1
    ? [["broker.session.timeout.ms", 4000], ["broker.heartbeat.interval.ms", 1000]]
    : [];
  const settings: [string, string | number][] = [
    ["process.roles", "broker,controller"],
    ["node.id", nodeId],
    ["controller.quorum.voters", voters.map((v) => `${v.id}@127.0.0.1:${v.port}`).join(",")],
    [
      "listeners",
      `PLAINTEXT://${host(l.listenHost)}:${l.port},CONTROLLER://127.0.0.1:${l.controllerPort}`,
    ],
    ["advertised.listeners", `PLAINTEXT://${host(l.advertiseHost)}:${l.port}`],
    ["controller.listener.names", "CONTROLLER"],
    ["listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"],
    ["inter.broker.listener.name", "PLAINTEXT"],
    ["log.dirs", propertyPath(l.logDir)],
    ["num.partitions", 1],
    ["default.replication.factor", replicas],
    ["min.insync.replicas", minInSync],
    ["offsets.topic.replication.factor", replicas],
    ["offsets.topic.num.partitions", 1],
    ["transaction.state.log.replication.factor", replicas],
    ["transaction.state.log.min.isr", minInSync],
    ["transaction.state.log.num.partitions", 1],
    ["share.coordinator.state.topic.replication.factor", replicas],
    ["share.coordinator.state.topic.min.isr", minInSync],
    ...cluster,
    ["group.initial.rebalance.delay.ms", 0],
    ["group.min.session.timeout.ms", 1000],
    ["auto.create.topics.enable", "false"],
    ["log.retention.hours", 168],
  ];
  return [
    "# Written by shared/kafka/broker.ts at every start: edit the code, not this file.",
    ...settings.map(([k, v]) => `${k}=${v}`),
    "",
  ].join("\n");
}

/** A log4j2 configuration: warnings and errors to `logFile` (rolled at 10 MB), none on the console. */
export function log4jConfig(logFile: string): string {
  const file = xmlEscape(propertyPath(logFile));
  return `<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="error">
  <Appenders>
    <RollingFile name="file" fileName="${file}" filePattern="${file}.%i">
      <PatternLayout pattern="[%d{ISO8601}] %p %m (%c)%n"/>
      <SizeBasedTriggeringPolicy size="10 MB"/>
      <DefaultRolloverStrategy max="2"/>
    </RollingFile>
  </Appenders>
  <Loggers>
    <Logger name="kafka.server.KafkaRaftServer" level="info"/>
    <Root level="warn"><AppenderRef ref="file"/></Root>
  </Loggers>
</Configuration>
`;
}

/**
 * A new Kafka cluster id: 16 random bytes in URL-safe base64 without padding (what
 * `kafka-storage random-uuid` prints), never starting with `-` (it would read as an option).
 */
export function kafkaClusterId(
  random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b),
): string {
  while (true) {
    const bytes = random(new Uint8Array(16));
    const id = btoa(String.fromCharCode(...bytes))
      .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
    if (!id.startsWith("-") && bytes.some((b) => b !== 0)) return id;
  }
}

/** A path as Java properties and log4j want it (forward slashes, also on Windows). */
function propertyPath(path: string): string {
  return path.replaceAll("\\", "/");
}

function xmlEscape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}
