/**
 * One KRaft node (combined broker + controller) run as a child `java` process: its files in its
 * own folder (config, log4j2, storage formatted once), its output appended to `broker.out`, and
 * a stop that waits until it is gone.
 *
 * @module
 */
import { join } from "node:path";
import { kafkaClusterId, log4jConfig, serverProperties } from "./broker_config.ts";
import { exists } from "./jars.ts";
import { indent, lastLines, withoutStackFrames } from "./java.ts";

/** What {@link spawnNode} needs. */
export interface NodeOptions {
  /** The node's folder: its config, storage (`log/`) and logs. */
  dir: string;
  /** `java` to run. */
  java: string;
  /** Folder of Kafka's jars. */
  lib: string;
  listenHost: string;
  port: number;
  advertiseHost: string;
  controllerPort: number;
  /** This node's id. @default 1 */
  nodeId?: number;
  /** Every controller of the cluster. @default this node */
  voters?: { id: number; port: number }[];
  /** Cluster id its storage is formatted with, the first time. @default a new one */
  clusterId?: string;
  /** Java heap limit. @default "512m" */
  heap?: string;
  progress: (line: string) => void;
}

/** A node started by {@link spawnNode}. */
export interface KafkaNode {
  /** Node id in its cluster. */
  id: number;
  /** Client port. */
  port: number;
  /** Process id of its `java`. */
  pid: number;
  /** Its log file (warnings and errors). */
  logFile: string;
  /** Settles when its `java` ends, for whatever reason. */
  exited: Promise<Deno.CommandStatus>;
  /** Whether its `java` still runs. */
  readonly running: boolean;
  /** SIGTERM, then SIGKILL after `graceMs` (default 20 s); resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once (a crash, for tests); resolves once it is gone. */
  kill(): Promise<void>;
  /** What it wrote during this run (log and output), stack frames left out. */
  output(): Promise<string>;
}

/** Writes the node's files, formats its storage the first time, and starts its `java`. */
export async function spawnNode(o: NodeOptions): Promise<KafkaNode> {
  const logDir = join(o.dir, "log");
  await Deno.mkdir(logDir, { recursive: true });
  const cp = `${o.lib}${Deno.build.os === "windows" ? "\\" : "/"}*`;
  const propsFile = join(o.dir, "server.properties");
  const log4jFile = join(o.dir, "log4j2.xml");
  const logFile = join(o.dir, "broker.log");
  const { listenHost, port, advertiseHost, controllerPort, nodeId, voters } = o;
  await Deno.writeTextFile(
    propsFile,
    serverProperties({ listenHost, port, advertiseHost, controllerPort, logDir, nodeId, voters }),
  );
  await Deno.writeTextFile(log4jFile, log4jConfig(logFile));
  const jvm = [`-Xmx${o.heap ?? "512m"}`, `-Dlog4j2.configurationFile=${log4jFile}`];

  if (!(await exists(join(logDir, "meta.properties")))) {
    o.progress(`formatting storage${nodeId ? ` of node ${nodeId}` : ""}`);
    const out = await new Deno.Command(o.java, {
      args: [
        ...jvm,
        "-cp",
        cp,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        o.clusterId ?? kafkaClusterId(),
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

  const outFile = join(o.dir, "broker.out");
  const logFrom = await sizeOf(logFile);
  const outFrom = await sizeOf(outFile);
  const child = new Deno.Command(o.java, {
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
  let done = false;
  exited.then(() => (done = true));
  const signal = (name: Deno.Signal) => {
    try {
      child.kill(name);
    } catch { /* already gone */ }
  };

  let stopping: Promise<void> | undefined;
  return {
    id: nodeId ?? 1,
    port,
    pid: child.pid,
    logFile,
    exited,
    get running() {
      return !done;
    },
    stop(graceMs = 20_000) {
      stopping ??= (async () => {
        signal("SIGTERM");
        const timer = setTimeout(() => done || signal("SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
    async kill() {
      signal("SIGKILL");
      await exited;
    },
    async output() {
      const text = await readFrom(logFile, logFrom) + "\n" + await readFrom(outFile, outFrom);
      return withoutStackFrames(text);
    },
  };
}

async function pump(stream: ReadableStream<Uint8Array>, file: Deno.FsFile) {
  for await (const chunk of stream) await file.write(chunk).catch(() => 0);
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
