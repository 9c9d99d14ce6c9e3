/**
 * A local KRaft Apache Kafka broker, or a cluster of them (one combined broker + controller node
 * per `java` process, each with its own ports and folder), from the official jars
 * ({@link ensureKafkaJars}), with the data kept across restarts.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { createKafka, createProducer, ensureTopics, probeBroker } from "./client.ts";
import { ensureKafkaJars, KAFKA_VERSION } from "./jars.ts";
import { kafkaClusterId } from "./broker_config.ts";
import { settling } from "./settling.ts";
import {
  bracket,
  brokerAddresses,
  checkPortFree,
  freePorts,
  isFree,
  isLocalAddress,
  isWildcard,
  portOpen,
} from "./broker_net.ts";
import { explain, indent, javaCommand, lastLines } from "./java.ts";
import { type KafkaNode, spawnNode } from "./broker_node.ts";

/** Options of {@link startBroker}. */
export interface BrokerOptions {
  /**
   * `host:port` the (first) broker listens on for clients; port 0 picks free ports.
   * @default "127.0.0.1:9092"
   */
  listen?: string;
  /** Host clients are told to connect to (other PCs need a reachable one). @default the listen host */
  advertise?: string;
  /**
   * Brokers of the cluster. One, in the data folder itself; or several, each on the next port
   * after the previous one's, in its own folder `node-<n>` of the data folder. @default 1
   */
  nodes?: number;
  /** Folder for the broker's data, config and log (kept across restarts). @default "./data/kafka" */
  dataDir?: string;
  /** Cache folder for the jars. @default cacheDir() */
  cacheDir?: string;
  /** Java heap limit of each broker. @default "512m" */
  heap?: string;
  /** How long the broker has to become ready, in ms. @default 120000 */
  readyTimeoutMs?: number;
  /** Receives progress lines for a person. */
  progress?: (line: string) => void;
}

/** A broker, or a cluster, started by {@link startBroker}. */
export interface RunningBroker {
  /** Bootstrap addresses for clients (`advertised host:port`, comma-separated). */
  bootstrap: string;
  /** Absolute path of the data folder. */
  dataDir: string;
  /** The (first) broker's log file (warnings and errors). */
  logFile: string;
  /** Process id of the (first) broker's `java` process. */
  pid: number;
  /** Every broker of the cluster (one for a single broker). */
  nodes: KafkaNode[];
  /** Settles when a `java` process ends, for whatever reason. */
  exited: Promise<Deno.CommandStatus>;
  /** Stops every broker: SIGTERM, then SIGKILL after 20 s; resolves once they are gone. */
  stop(): Promise<void>;
}

const READY_TOPIC = "ev-broker-ready";

/**
 * Starts a broker (or a cluster) and resolves once every broker answers and a topic-create +
 * produce + group-coordinator round trip succeeds (so programs started next meet no "coordinator
 * is loading" errors). Rejects with a clear message, and leaves no process behind, when it cannot.
 */
export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const progress = options.progress ?? (() => {});
  const count = options.nodes ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 9) {
    throw new RangeError(`a Kafka cluster has 1 to 9 brokers, got ${count}`);
  }
  const { listenHost, advertiseHost, ...listen } = brokerAddresses(
    options.listen ?? "127.0.0.1:9092",
    options.advertise,
  );
  const first = listen.port === 0 ? freePorts(count) : listen.port;
  const ports = Array.from({ length: count }, (_, i) => first + i);
  for (const port of ports) checkPortFree(listenHost, port);

  const dataDir = resolve(options.dataDir ?? join("data", "kafka"));
  const dirs = count === 1 ? [dataDir] : ports.map((_, i) => join(dataDir, `node-${i + 1}`));
  const locks: Deno.FsFile[] = [];
  const unlock = () => {
    for (const lock of locks.splice(0)) lock.close();
  };
  if (!isWildcard(advertiseHost) && !isLocalAddress(advertiseHost)) {
    progress(
      `note: ${advertiseHost} is not an address of this machine; clients will be sent there`,
    );
  }
  try {
    for (const dir of dirs) {
      await Deno.mkdir(join(dir, "log"), { recursive: true });
      locks.push(await lockDataDir(dir));
    }
    const broker = await launch({
      ...options,
      dataDir,
      dirs,
      ports,
      listenHost,
      advertiseHost,
    }, progress);
    broker.exited.then(() => {}, () => {});
    const stop = broker.stop;
    return { ...broker, stop: () => stop().finally(unlock) };
  } catch (e) {
    unlock();
    throw e;
  }
}

async function launch(
  options: BrokerOptions & {
    dataDir: string;
    dirs: string[];
    ports: number[];
    listenHost: string;
    advertiseHost: string;
  },
  progress: (line: string) => void,
): Promise<RunningBroker> {
  const { dataDir, dirs, ports, listenHost, advertiseHost } = options;
  const controllerPorts: number[] = [];
  for (const dir of dirs) {
    controllerPorts.push(await controllerPortFor(dir, [...ports, ...controllerPorts]));
  }
  const java = await javaCommand();
  const lib = await ensureKafkaJars({ cacheDir: options.cacheDir, progress });
  const cluster = dirs.length > 1;
  const voters = cluster ? controllerPorts.map((port, i) => ({ id: i + 1, port })) : undefined;
  const clusterId = cluster ? await clusterIdOf(dataDir) : undefined;

  const nodes: KafkaNode[] = [];
  // One by one, the last first. A broker stops cleanly while a majority of the cluster's
  // controllers remains; one that would leave fewer has no quorum to stop with: 3 s, then killed.
  const stop = async () => {
    for (const node of [...nodes].reverse()) {
      const others = nodes.filter((n) => n !== node && n.running).length;
      await node.stop(others >= Math.floor(nodes.length / 2) + 1 || !cluster ? 20_000 : 3_000);
    }
  };
  try {
    // formatted and started side by side: a KRaft cluster answers once a majority is up
    const spawned = await Promise.allSettled(dirs.map((dir, i) =>
      spawnNode({
        dir,
        java,
        lib,
        listenHost,
        port: ports[i],
        advertiseHost,
        controllerPort: controllerPorts[i],
        nodeId: cluster ? i + 1 : undefined,
        voters,
        clusterId,
        heap: options.heap,
        progress,
      })
    ));
    for (const r of spawned) if (r.status === "fulfilled") nodes.push(r.value);
    const failed = spawned.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  } catch (e) {
    await stop();
    throw e;
  }
  const exited = Promise.race(nodes.map((n) => n.exited));
  // a cluster whose node died at start: that node's log says why, not the first node's
  let firstDead: number | undefined;
  nodes.forEach((n, i) => n.exited.then(() => (firstDead ??= i)));
  const bootstrap = ports.map((p) => `${bracket(advertiseHost)}:${p}`).join(",");
  const local = ports.map((p) =>
    `${bracket(isWildcard(listenHost) ? "127.0.0.1" : listenHost)}:${p}`
  );
  progress(
    `starting Kafka ${KAFKA_VERSION} (${nodes.map((n) => `java pid ${n.pid}`).join(", ")}, log in ${
      nodes[0].logFile
    }${cluster ? " and its siblings" : ""})`,
  );
  try {
    await waitReady(local, bootstrap, exited, options.readyTimeoutMs ?? 120_000, progress);
  } catch (e) {
    const dead = firstDead;
    await stop();
    const status = await exited;
    const outputs = await Promise.all(nodes.map((n) => n.output()));
    const explained = outputs.findIndex((text) => explain(text) !== undefined);
    const which = explained >= 0 ? explained : dead ?? 0;
    const why = explain(outputs[which]) ?? (e instanceof Error ? e.message : String(e));
    const code = `(java exit code ${status.code}${status.signal ? `, ${status.signal}` : ""})`;
    throw new Error(
      `Kafka broker did not start: ${why} ${code}\n  last lines of ${nodes[which].logFile}:\n${
        indent(lastLines(outputs[which], 12))
      }`,
    );
  }
  return {
    bootstrap,
    dataDir,
    logFile: nodes[0].logFile,
    pid: nodes[0].pid,
    nodes,
    exited,
    stop,
  };
}

async function waitReady(
  local: string[],
  bootstrap: string,
  exited: Promise<Deno.CommandStatus>,
  timeoutMs: number,
  progress: (line: string) => void,
) {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let dead = false;
  exited.then(() => (dead = true));
  const died = exited.then((s) => {
    throw new Error(`java exited early with code ${s.code}`);
  });
  died.catch(() => {});
  let lastNote = started;
  const allAnswer = async () =>
    (await Promise.all(local.map((l) => probeBroker(l, 2000)))).every(Boolean);
  while (!(await Promise.race([allAnswer(), died]))) {
    if (dead) await died;
    const listens = async () => (await Promise.all(local.map(portOpen))).every(Boolean);
    if (Date.now() > deadline) {
      const hint = await listens()
        ? ` (it listens, but Kafka clients cannot use it: is ${bootstrap} reachable from here?)`
        : "";
      throw new Error(`no answer at ${local.join(",")} within ${timeoutMs / 1000} s${hint}`);
    }
    if (Date.now() - lastNote >= 10_000) {
      lastNote = Date.now();
      const hint = await listens()
        ? `; it listens: if this lasts, check that clients can reach ${bootstrap} (--advertise)`
        : "";
      progress(
        `still waiting for the broker to answer (${
          Math.round((lastNote - started) / 1000)
        } s${hint})…`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  // Every broker answers: now the round trip every program will make.
  const kafka = createKafka({
    brokers: local,
    clientId: "ev-broker-ready",
    retries: 30,
    maxRetryTimeMs: 1000,
    silent: true,
  });
  const roundTripOnce = async () => {
    await ensureTopics(kafka, [{
      topic: READY_TOPIC,
      numPartitions: 1,
      config: { "retention.ms": "3600000" },
    }]);
    const producer = createProducer(kafka);
    const admin = kafka.admin();
    try {
      await producer.connect();
      await producer.send({ topic: READY_TOPIC, messages: [{ value: new Date().toISOString() }] });
      await admin.connect();
      await admin.fetchOffsets({ groupId: READY_TOPIC, topics: [READY_TOPIC] });
    } finally {
      await producer.disconnect().catch(() => {});
      await admin.disconnect().catch(() => {});
    }
  };
  // a cluster just formed answers "the coordinator is loading" (and the like) for a while: again
  const roundTrip = async () => {
    while (true) {
      try {
        return await roundTripOnce();
      } catch (e) {
        if (!settling(e) || Date.now() > deadline || dead) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the broker answers at ${local} but clients cannot use ${bootstrap}`)),
      Math.max(5000, deadline - Date.now()),
    );
  });
  try {
    await Promise.race([
      roundTrip().catch((e) => {
        throw new Error(
          `the broker answers at ${local} but a produce through ${bootstrap} failed ` +
            `(is the advertised address reachable?): ${e instanceof Error ? e.message : e}`,
        );
      }),
      died,
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The id a cluster's nodes are formatted with, kept in `<dataDir>/cluster.id`. */
async function clusterIdOf(dataDir: string): Promise<string> {
  const file = join(dataDir, "cluster.id");
  const kept = (await readOr(file)).trim();
  if (kept) return kept;
  const id = kafkaClusterId();
  await Deno.writeTextFile(file, `${id}\n`);
  return id;
}

/**
 * Locks `<dataDir>/broker.lock` for as long as this process runs the broker. Kafka's own lock on
 * its log folder is taken only after the controller has started writing the metadata log, so
 * without this a second broker on the same folder could damage the first one's metadata.
 */
async function lockDataDir(dataDir: string): Promise<Deno.FsFile> {
  const path = join(dataDir, "broker.lock");
  const file = await Deno.open(path, { create: true, read: true, write: true });
  if (!(await file.tryLock(true))) {
    file.close();
    const pid = (await readOr(path)).trim();
    throw new Error(
      `the Kafka data folder ${dataDir} is in use by another broker` +
        `${pid ? ` (process ${pid})` : ""}: stop it, or use another --kafka-data`,
    );
  }
  await file.truncate(0);
  await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
  return file;
}

/**
 * The controller port kept in the data dir (reused while free), else a new free port; never one
 * of `taken` (the other nodes').
 */
async function controllerPortFor(dataDir: string, taken: number[] = []): Promise<number> {
  const file = join(dataDir, "controller.port");
  const saved = Number((await readOr(file)).trim());
  if (
    Number.isInteger(saved) && saved > 0 && saved < 65536 && !taken.includes(saved) &&
    isFree("127.0.0.1", saved)
  ) {
    return saved;
  }
  // a port below the ephemeral range, so that no outgoing connection takes it before the
  // controller binds it (a port the system just gave out may be given out again at once)
  let port = freePorts(1);
  while (taken.includes(port)) port = freePorts(1);
  await Deno.writeTextFile(file, `${port}\n`);
  return port;
}

async function readOr(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}
