/**
 * Apache Kafka's jars from Maven Central, resolved once with `mvn` into a cache folder outside the
 * repository and reused by every later start.
 *
 * The jars are copied into a temporary folder that is renamed into place only when complete (a
 * `complete` marker inside), so concurrent first runs cannot leave a half-filled cache behind.
 *
 * @module
 */
import { join } from "node:path";

/** Apache Kafka version of the broker we run (Scala 2.13 build). */
export const KAFKA_VERSION = "4.1.1";
/** log4j2 version of the logging binding (Kafka 4.1 uses slf4j-api 1.7, hence `log4j-slf4j-impl`). */
export const LOG4J_VERSION = "2.24.3";

const MARKER = "complete";

/** Where cached downloads live: `$EV_CACHE_DIR`, else `$XDG_CACHE_HOME/evcharging`, else `~/.cache/evcharging`. */
export function cacheDir(env: (name: string) => string | undefined = readEnv): string {
  const explicit = env("EV_CACHE_DIR");
  if (explicit) return explicit;
  const xdg = env("XDG_CACHE_HOME");
  if (xdg) return join(xdg, "evcharging");
  const home = env("HOME") ?? env("USERPROFILE");
  if (!home) throw new Error("cannot find a cache folder: set EV_CACHE_DIR");
  return join(home, ".cache", "evcharging");
}

/** The pom.xml whose runtime dependencies are Kafka's broker and a log4j2 binding. */
export function kafkaPom(kafkaVersion = KAFKA_VERSION, log4jVersion = LOG4J_VERSION): string {
  const dep = (group: string, artifact: string, version: string) =>
    `    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId>` +
    `<version>${version}</version></dependency>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>evcharging</groupId>
  <artifactId>kafka-broker-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${dep("org.apache.kafka", "kafka_2.13", kafkaVersion)}
${dep("org.apache.logging.log4j", "log4j-slf4j-impl", log4jVersion)}
${dep("org.apache.logging.log4j", "log4j-core", log4jVersion)}
${dep("org.apache.logging.log4j", "log4j-api", log4jVersion)}
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.8.1</version>
      </plugin>
    </plugins>
  </build>
</project>
`;
}

/** Options of {@link ensureKafkaJars}. */
export interface JarOptions {
  /** Cache folder. @default cacheDir() */
  cacheDir?: string;
  /** Receives progress lines for a person. */
  progress?: (line: string) => void;
}

/**
 * Returns the folder holding Kafka's jars (for `java -cp "<dir>/*"`), resolving them with Maven
 * the first time.
 */
export async function ensureKafkaJars(options: JarOptions = {}): Promise<string> {
  const root = options.cacheDir ?? cacheDir();
  const final = join(root, `kafka-${KAFKA_VERSION}`);
  if (await exists(join(final, MARKER))) return join(final, "lib");

  const progress = options.progress ?? (() => {});
  progress(`resolving Kafka ${KAFKA_VERSION} jars with Maven (first time only)…`);
  await Deno.mkdir(root, { recursive: true });
  await removeStaleTemps(root);
  const tmp = await Deno.makeTempDir({ dir: root, prefix: `kafka-${KAFKA_VERSION}.tmp-` });
  try {
    await Deno.writeTextFile(join(tmp, "pom.xml"), kafkaPom());
    const started = performance.now();
    await runMaven(tmp);
    const jars = [...Deno.readDirSync(join(tmp, "lib"))].filter((e) => e.name.endsWith(".jar"));
    if (!jars.some((e) => e.name.startsWith(`kafka_2.13-${KAFKA_VERSION}`))) {
      throw new Error(`Maven did not deliver kafka_2.13-${KAFKA_VERSION}.jar`);
    }
    await Deno.writeTextFile(join(tmp, MARKER), `${new Date().toISOString()}\n`);
    await moveIntoPlace(tmp, final);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    progress(`Kafka jars ready (${jars.length} jars in ${seconds} s, cached in ${final})`);
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  return join(final, "lib");
}

async function runMaven(dir: string) {
  const mvn = Deno.build.os === "windows" ? "mvn.cmd" : "mvn";
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(mvn, {
      args: [
        "-q",
        "-B",
        "-f",
        join(dir, "pom.xml"),
        "dependency:copy-dependencies",
        `-DoutputDirectory=${join(dir, "lib")}`,
        "-DincludeScope=runtime",
      ],
      cwd: dir,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(
        "Maven (mvn) is needed once to fetch Kafka's jars: 'mvn' was not found on PATH " +
          "(install it: README, 'Installing Java 17 and Maven'; or run Kafka with Docker)",
      );
    }
    throw e;
  }
  if (!output.success) {
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    const tail = text.trim().split("\n").filter((l) => l.trim() !== "").slice(-8).join("\n  ");
    throw new Error(`Maven could not resolve Kafka's jars (exit ${output.code}):\n  ${tail}`);
  }
}

/** Renames the finished temp folder to `final`; a concurrent run that got there first wins. */
async function moveIntoPlace(tmp: string, final: string) {
  try {
    await Deno.rename(tmp, final);
    return;
  } catch (e) {
    if (await exists(join(final, MARKER))) return; // another run finished first: use its copy
    if (!(await exists(final))) throw e;
  }
  // `final` exists without its marker (left by hand or an old tool): set it aside, then retry.
  const aside = `${final}.old-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.rename(final, aside).catch(() => {});
  await Deno.remove(aside, { recursive: true }).catch(() => {});
  await Deno.rename(tmp, final).catch(async (e) => {
    if (!(await exists(join(final, MARKER)))) throw e;
  });
}

/** Removes temp folders of runs that died more than an hour ago. */
async function removeStaleTemps(root: string) {
  const prefix = `kafka-${KAFKA_VERSION}.`;
  for await (const entry of Deno.readDir(root)) {
    if (!entry.isDirectory || !entry.name.startsWith(prefix)) continue;
    if (!/\.(tmp|old)-/.test(entry.name)) continue;
    const path = join(root, entry.name);
    const info = await Deno.stat(path).catch(() => undefined);
    if (info?.mtime && Date.now() - info.mtime.getTime() > 3_600_000) {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    }
  }
}

/** Whether a file or folder exists at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}
