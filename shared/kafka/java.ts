/**
 * Finding Java 17+ and making sense of a Java process's output when it fails.
 *
 * @module
 */
import { join } from "node:path";
import { KAFKA_VERSION } from "./jars.ts";

/** `java` from PATH, else from `$JAVA_HOME`; checks it is Java 17+. */
export async function javaCommand(): Promise<string> {
  const home = readEnv("JAVA_HOME");
  const candidates = ["java", ...(home ? [join(home, "bin", "java")] : [])];
  for (const java of candidates) {
    let out: Deno.CommandOutput;
    try {
      out = await new Deno.Command(java, { args: ["-version"], stdout: "piped", stderr: "piped" })
        .output();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
        throw new Error(`not allowed to run '${java}': put Java 17+ on PATH as 'java'`);
      }
      throw e;
    }
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    const m = /version "(?:1\.)?(\d+)/.exec(text);
    if (m && Number(m[1]) < 17) {
      throw new Error(`Kafka ${KAFKA_VERSION} needs Java 17+, found Java ${m[1]} ('${java}')`);
    }
    return java;
  }
  throw new Error(
    "Java 17+ is needed to run Kafka: 'java' was not found on PATH nor in JAVA_HOME " +
      "(install it: README, 'Installing Java 17 and Maven')",
  );
}

/** Recognises common Kafka start-up failures in its log; a short reason, or undefined. */
export function explain(tail: string): string | undefined {
  if (/Failed to acquire lock/i.test(tail)) {
    return "its data folder is in use by another Kafka broker";
  }
  if (/Address already in use/i.test(tail)) return "a port it needs is already in use";
  if (/UnsupportedClassVersionError/.test(tail)) return "this Java is too old (Java 17+ needed)";
  if (/Invalid cluster\.id|INCONSISTENT_CLUSTER_ID/i.test(tail)) {
    return "its data folder belongs to another cluster";
  }
  return undefined;
}

/** Drops Java stack frames (`at …`, `... 12 more`) so the messages themselves show. */
export function withoutStackFrames(text: string): string {
  return text.split("\n").filter((l) => !/^\s+(at |\.\.\. \d+ more)/.test(l)).join("\n");
}

/** The last `n` non-empty lines of `text`. */
export function lastLines(text: string, n: number): string {
  return text.split("\n").map((l) => l.trimEnd()).filter((l) => l !== "").slice(-n).join("\n");
}

/** Indents every line by four spaces. */
export function indent(text: string) {
  return text.split("\n").map((l) => `    ${l}`).join("\n");
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}
