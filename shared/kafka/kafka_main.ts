/**
 * `deno task kafka`: makes a Kafka broker answer at the configured bootstrap address.
 *
 * It reuses a broker that already answers (and says so); else, when a Docker engine answers, it
 * starts compose.yml's `kafka` service and returns; else it runs Apache Kafka from Maven
 * Central's jars ({@link startBroker}) in the foreground until Ctrl+C or SIGTERM stops it cleanly.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig, type ProgramSpec, runMain } from "../config.ts";
import { KAFKA } from "../settings.ts";
import { KAFKA_ALIASES } from "../aliases.ts";
import { parseBrokers, probeBroker } from "./client.ts";
import { startBroker } from "./broker.ts";
import { KAFKA_VERSION } from "./jars.ts";

type Name = "kafka" | "kafka-data" | "advertise" | "no-docker" | "nodes";

/** What `deno task kafka` accepts. */
export const KAFKA_SPEC: ProgramSpec<Name> = {
  usage: "deno task kafka [--kafka HOST:PORT] [--nodes 1|3] [--kafka-data DIR] [--advertise HOST]",
  summary:
    "Makes a Kafka broker answer at the configured bootstrap address (the first of --kafka). " +
    "A broker that already answers is reused. Else, when a Docker engine runs, compose.yml's " +
    "kafka service is started. Else Apache Kafka " + KAFKA_VERSION + " runs from Maven " +
    "Central's jars (Java 17+ and Maven needed; jars cached after the first time) in the " +
    "foreground until Ctrl+C or SIGTERM stops it.",
  settings: {
    kafka: KAFKA,
    "kafka-data": {
      env: "EV_KAFKA_DATA",
      default: "./data/kafka",
      help: "folder for the broker's data, config and log (kept across restarts)",
      placeholder: "DIR",
    },
    advertise: {
      env: "EV_KAFKA_ADVERTISE",
      help: "host other machines use to reach the broker (listens on all interfaces then); " +
        "default the listen host, or this machine's first LAN address when it is 0.0.0.0",
      placeholder: "HOST",
    },
    nodes: {
      env: "EV_KAFKA_NODES",
      default: "1",
      help: "brokers to start: 3 is a cluster on the port of --kafka and the next two, " +
        "each in <kafka-data>/node-N, topics replicated 3 times (2 in sync)",
      placeholder: "N",
    },
    "no-docker": {
      env: "EV_KAFKA_NO_DOCKER",
      boolean: true,
      help: "never use Docker, always run the broker from the jars",
    },
  },
  aliases: KAFKA_ALIASES,
  notes: [
    "Examples:",
    "  deno task kafka                                   # 127.0.0.1:9092, data in ./data/kafka",
    "  deno task kafka --kafka 0.0.0.0:9092 --advertise 192.168.1.10   # broker PC of a lab",
    "  deno task kafka --nodes 3                         # 127.0.0.1:9092,9093,9094",
  ],
};

async function main(): Promise<number> {
  const cfg = loadConfig(KAFKA_SPEC);
  let brokers: string[];
  try {
    brokers = parseBrokers(cfg.values.kafka ?? "");
  } catch (e) {
    throw new ConfigError(e instanceof Error ? e.message : String(e));
  }
  const first = brokers[0];
  const say = (line: string) => console.log(`kafka: ${line}`);

  if (await probeBroker(brokers, 3000)) {
    say(`a Kafka broker already answers at ${brokers.join(",")}: reusing it, nothing to start`);
    return 0;
  }
  const nodes = Number(cfg.values.nodes);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) {
    throw new ConfigError(
      `--nodes must be a number of brokers from 1 to 9, got '${cfg.values.nodes}'`,
    );
  }
  const advertise = cfg.values.advertise;
  if (nodes === 1 && !cfg.flags["no-docker"] && await dockerAnswers()) {
    return await startWithDocker(first, advertise, say);
  }

  const broker = await startBroker({
    listen: first,
    advertise,
    nodes,
    dataDir: cfg.values["kafka-data"],
    progress: say,
  });
  say(
    nodes === 1
      ? `broker ready at ${broker.bootstrap} (data in ${broker.dataDir}); Ctrl+C stops it`
      : `broker ready: a cluster of ${nodes} at ${broker.bootstrap} (data in ` +
        `${broker.dataDir}/node-*); give every program --kafka ${broker.bootstrap}; Ctrl+C stops it`,
  );

  const stopRequested = new Promise<string>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      try {
        Deno.addSignalListener(signal, () => resolve(signal));
      } catch { /* SIGTERM cannot be listened to on Windows */ }
    }
  });
  // A cluster carries on without one of its brokers: say so, and stop when none is left.
  let stopping = false;
  for (const node of broker.nodes) {
    node.exited.then((s) => {
      if (nodes > 1 && !stopping) {
        say(
          `broker ${node.id} (port ${node.port}) exited by itself (code ${s.code}); see ${node.logFile}`,
        );
      }
    });
  }
  const outcome = await Promise.race([
    stopRequested,
    Promise.all(broker.nodes.map((n) => n.exited)).then(([s]) => s),
  ]);
  if (typeof outcome === "string") {
    stopping = true;
    say(`${outcome}: stopping the broker${nodes > 1 ? "s" : ""}…`);
    const started = performance.now();
    await broker.stop();
    say(
      `broker${nodes > 1 ? "s" : ""} stopped (${
        ((performance.now() - started) / 1000).toFixed(1)
      } s)`,
    );
    return 0;
  }
  console.error(
    `error: the Kafka broker${nodes > 1 ? "s" : ""} exited by ${
      nodes > 1 ? "themselves" : "itself"
    } ` +
      `(code ${outcome.code}); see ${broker.logFile}`,
  );
  return 1;
}

/** True when `docker info` answers within 5 s (a Docker engine runs). */
async function dockerAnswers(): Promise<boolean> {
  try {
    const out = await new Deno.Command("docker", {
      args: ["info", "--format", "{{.ServerVersion}}"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
      signal: AbortSignal.timeout(5000),
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

async function startWithDocker(
  bootstrap: string,
  advertise: string | undefined,
  say: (line: string) => void,
): Promise<number> {
  const [host, port] = [bootstrap.slice(0, bootstrap.lastIndexOf(":")), bootstrap.split(":").pop()];
  const advertised = advertise ?? (host === "0.0.0.0" ? "127.0.0.1" : host);
  const compose = fileURLToPath(new URL("../../compose.yml", import.meta.url));
  say(`starting Kafka with Docker (docker compose up -d kafka, advertised ${advertised}:${port})…`);
  const out = await new Deno.Command("docker", {
    args: ["compose", "-f", compose, "up", "-d", "kafka"],
    env: { KAFKA_ADVERTISED_HOST: advertised, KAFKA_PORT: port ?? "9092" },
    stdin: "null",
  }).output();
  if (!out.success) throw new Error("docker compose up -d kafka failed (see above)");
  const local = `${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
  const deadline = Date.now() + 120_000;
  while (!(await probeBroker(local, 2000))) {
    if (Date.now() > deadline) {
      throw new Error(`the Docker Kafka broker does not answer at ${local} after 120 s`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  say(
    `broker ready at ${advertised}:${port} (Docker, volume kafka-data); ` +
      "stop it with: docker compose stop kafka",
  );
  return 0;
}

if (import.meta.main) runMain(main);
