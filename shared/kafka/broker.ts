/**
 * A single-node KRaft Apache Kafka broker (combined broker + controller) run as a child `java`
 * process from the official jars ({@link ensureKafkaJars}), with its data kept in a folder across
 * restarts.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { createKafka, createProducer, ensureTopics, probeBroker } from "./client.ts";
import { ensureKafkaJars, exists, KAFKA_VERSION } from "./jars.ts";
import { kafkaClusterId, log4jConfig, serverProperties } from "./broker_config.ts";
import {
  bracket,
  brokerAddresses,
  checkPortFree,
  freePort,
  isFree,
  isLocalAddress,
  isWildcard,
  portOpen,
} from "./broker_net.ts";
import { explain, indent, javaCommand, lastLines, withoutStackFrames } from "./java.ts";

/** Options of {@link startBroker}. */
export interface BrokerOptions {
  /** `host:port` the broker listens on for clients; port 0 picks a free port. @default "127.0.0.1:9092" */
  listen?: string;
  /** Host clients are told to connect to (other PCs need a reachable one). @default the listen host */
  advertise?: string;
  /** Folder for the broker's data, config and log (kept across restarts). @default "./data/kafka" */
  dataDir?: string;
  /** Cache folder for the jars. @default cacheDir() */
  cacheDir?: string;
  /** Java heap limit. @default "512m" */
  heap?: string;
  /** How long the broker has to become ready, in ms. @default 120000 */
  readyTimeoutMs?: number;
  /** Receives progress lines for a person. */
  progress?: (line: string) => void;
}

/** A broker started by {@link startBroker}. */
export interface RunningBroker {
  /** Bootstrap address for clients (`advertised host:port`). */
  bootstrap: string;
  /** Absolute path of the data folder. */
  dataDir: string;
  /** The broker's log file (warnings and errors). */
  logFile: string;
  /** Process id of the `java` process. */
  pid: number;
  /** Settles when the `java` process ends, for whatever reason. */
  exited: Promise<Deno.CommandStatus>;
  /** Stops the broker: SIGTERM, then SIGKILL after 20 s; resolves once it is gone. */
  stop(): Promise<void>;
}

const READY_TOPIC = "ev-broker-ready";

/**
 * Starts a broker and resolves once it answers and a topic-create + produce + group-coordinator
 * round trip succeeds (so programs started next meet no "coordinator is loading" errors).
 * Rejects with a clear message, and leaves no process behind, when it cannot.
 */
export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const progress = options.progress ?? (() => {});
  const { listenHost, advertiseHost, ...listen } = brokerAddresses(
    options.listen ?? "127.0.0.1:9092",
    options.advertise,
  );
  const port = listen.port === 0 ? freePort() : listen.port;
  checkPortFree(listenHost, port);

  const dataDir = resolve(options.dataDir ?? join("data", "kafka"));
  await Deno.mkdir(join(dataDir, "log"), { recursive: true });
  const lock = await lockDataDir(dataDir);
  let locked = true;
  const unlock = () => {
    if (locked) lock.close();
    locked = false;
  };
  if (!isWildcard(advertiseHost) && !isLocalAddress(advertiseHost)) {
    progress(
      `note: ${advertiseHost} is not an address of this machine; clients will be sent there`,
    );
  }
  try {
    return await launch({ ...options, dataDir, listenHost, port, advertiseHost }, progress, unlock);
  } catch (e) {
    unlock();
    throw e;
  }
}

async function launch(
  options: BrokerOptions & {
    dataDir: string;
    listenHost: string;
    port: number;
    advertiseHost: string;
  },
  progress: (line: string) => void,
  unlock: () => void,
): Promise<RunningBroker> {
  const { dataDir, listenHost, port, advertiseHost } = options;
  const logDir = join(dataDir, "log");
  const controllerPort = await controllerPortFor(dataDir);
  const java = await javaCommand();
  const lib = await ensureKafkaJars({ cacheDir: options.cacheDir, progress });
  const cp = `${lib}${Deno.build.os === "windows" ? "\\" : "/"}*`;

  const propsFile = join(dataDir, "server.properties");
  const log4jFile = join(dataDir, "log4j2.xml");
  const logFile = join(dataDir, "broker.log");
  await Deno.writeTextFile(
    propsFile,
    serverProperties({ listenHost, port, advertiseHost, controllerPort, logDir }),
  );
  await Deno.writeTextFile(log4jFile, log4jConfig(logFile));
  const jvm = [`-Xmx${options.heap ?? "512m"}`, `-Dlog4j2.configurationFile=${log4jFile}`];

  if (!(await exists(join(logDir, "meta.properties")))) {
    progress("formatting storage");
    const out = await new Deno.Command(java, {
      args: [
        ...jvm,
        "-cp",
        cp,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        kafkaClusterId(),
        "-c",
        propsFile,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      throw new Error(
        `formatting Kafka storage in ${logDir} failed:\n${indent(lastLines(text, 10))}`,
      );
    }
  }

  const outFile = join(dataDir, "broker.out");
  const logFrom = await sizeOf(logFile);
  const outFrom = await sizeOf(outFile);
  const child = new Deno.Command(java, {
    args: [
      ...jvm,
      "-XX:+UseG1GC",
      "-XX:MaxGCPauseMillis=20",
      "-XX:+ExitOnOutOfMemoryError",
      "-Djava.awt.headless=true",
      "-cp",
      cp,
      "kafka.Kafka",
      propsFile,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = await Deno.open(outFile, { create: true, append: true, write: true });
  const pumped = Promise.all([pump(child.stdout, out), pump(child.stderr, out)])
    .finally(() => out.close());
  const exited = child.status.then(async (s) => (await pumped, s));

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      let done = false;
      exited.then(() => (done = true));
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const timer = setTimeout(() => {
        if (!done) {
          try {
            child.kill("SIGKILL");
          } catch { /* already gone */ }
        }
      }, 20_000);
      await exited;
      clearTimeout(timer);
      unlock();
    })();
    return stopping;
  };

  const bootstrap = `${bracket(advertiseHost)}:${port}`;
  const local = `${bracket(isWildcard(listenHost) ? "127.0.0.1" : listenHost)}:${port}`;
  progress(`starting Kafka ${KAFKA_VERSION} (java pid ${child.pid}, log in ${logFile})`);
  try {
    await waitReady(local, bootstrap, exited, options.readyTimeoutMs ?? 120_000, progress);
  } catch (e) {
    await stop();
    const status = await exited;
    const text = await readFrom(logFile, logFrom) + "\n" + await readFrom(outFile, outFrom);
    const tail = lastLines(withoutStackFrames(text), 12);
    const why = explain(text) ?? (e instanceof Error ? e.message : String(e));
    const code = `(java exit code ${status.code}${status.signal ? `, ${status.signal}` : ""})`;
    throw new Error(
      `Kafka broker did not start: ${why} ${code}\n  last lines of ${logFile}:\n${indent(tail)}`,
    );
  }
  return { bootstrap, dataDir, logFile, pid: child.pid, exited, stop };
}

async function waitReady(
  local: string,
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
  while (!(await Promise.race([probeBroker(local, 2000), died]))) {
    if (dead) await died;
    if (Date.now() > deadline) {
      const hint = await portOpen(local)
        ? ` (it listens, but Kafka clients cannot use it: is ${bootstrap} reachable from here?)`
        : "";
      throw new Error(`no answer at ${local} within ${timeoutMs / 1000} s${hint}`);
    }
    if (Date.now() - lastNote >= 10_000) {
      lastNote = Date.now();
      const hint = await portOpen(local)
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
  // It answers: now the round trip every program will make (through the advertised address).
  const kafka = createKafka({
    brokers: local,
    clientId: "ev-broker-ready",
    retries: 30,
    maxRetryTimeMs: 1000,
    silent: true,
  });
  const roundTrip = async () => {
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

/** The controller port kept in the data dir (reused while free), else a new free port. */
async function controllerPortFor(dataDir: string): Promise<number> {
  const file = join(dataDir, "controller.port");
  const saved = Number((await readOr(file)).trim());
  if (Number.isInteger(saved) && saved > 0 && saved < 65536 && isFree("127.0.0.1", saved)) {
    return saved;
  }
  const port = freePort();
  await Deno.writeTextFile(file, `${port}\n`);
  return port;
}

async function pump(stream: ReadableStream<Uint8Array>, file: Deno.FsFile) {
  for await (const chunk of stream) await file.write(chunk).catch(() => 0);
}

async function readOr(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

async function sizeOf(path: string): Promise<number> {
  return (await Deno.stat(path).catch(() => undefined))?.size ?? 0;
}

/** The text of `path` after its first `offset` bytes (what this run wrote). */
async function readFrom(path: string, offset: number): Promise<string> {
  try {
    const bytes = await Deno.readFile(path);
    return new TextDecoder().decode(bytes.subarray(offset));
  } catch {
    return "";
  }
}
