/**
 * The spellings of the earlier implementations (the seeds' READMEs), accepted so that their users
 * feel at home: their flags and environment variables as aliases of our settings, and their line
 * command words. Declared once here; `loadConfig` applies the settings' aliases, the Engine and
 * Central the words. The README's table "Earlier spellings" lists each of them once.
 *
 * @module
 */

/** An earlier spelling of a setting: a flag or an environment variable (also read from `.env`). */
export interface Alias {
  /** The earlier flag, without its dashes (`cp-id` for `--cp-id`). */
  flag?: string;
  /** The earlier environment variable (`KAFKA_BOOTSTRAP_SERVERS`). */
  env?: string;
  /** The setting it gives; none: accepted and ignored, saying {@link Alias.ignored}. */
  to?: string;
  /** The part of a `host:port` setting it gives. @default the whole value */
  part?: "host" | "port";
  /** Why an ignored flag changes nothing (printed when it is given). */
  ignored?: string;
}

/** Kafka's address, as every earlier program spelt it. */
const KAFKA: Alias[] = [
  { flag: "kafka-broker", to: "kafka" },
  { env: "KAFKA_BOOTSTRAP_SERVERS", to: "kafka" },
  { env: "KAFKA_BROKER", to: "kafka" },
];

/** The CP's id and location, as the earlier Engines and Monitors spelt them. */
const CP: Alias[] = [
  { flag: "cp-id", to: "id" },
  { env: "CP_ID", to: "id" },
  { env: "LOCATION", to: "location" },
];

/** Central's earlier spellings. */
export const CENTRAL_ALIASES: readonly Alias[] = [
  ...KAFKA,
  {
    flag: "mongo",
    ignored: "--mongo is ignored: Central keeps its data in PostgreSQL (--db, else embedded)",
  },
];

/** The Engine's earlier spellings. */
export const ENGINE_ALIASES: readonly Alias[] = [
  ...KAFKA,
  ...CP,
  { flag: "health-port", to: "port" },
  { flag: "engine-port", to: "port" },
  { flag: "engine-host", to: "host" },
  { flag: "max-power", to: "max-kw" },
  { flag: "tariff", to: "price" },
];

/** The Monitor's earlier spellings. */
export const MONITOR_ALIASES: readonly Alias[] = [
  ...CP,
  { flag: "engine-host", to: "engine", part: "host" },
  { flag: "engine-port", to: "engine", part: "port" },
  { flag: "central-host", to: "central", part: "host" },
  { flag: "central-port", to: "central", part: "port" },
  {
    flag: "kafka",
    ignored: "--kafka is ignored: the Monitor talks to Central and its Engine over sockets",
  },
];

/** The Driver's earlier spellings. */
export const DRIVER_ALIASES: readonly Alias[] = [...KAFKA, { flag: "driver-id", to: "id" }];

/** Programs that only need Kafka's address (`deno task kafka`, the demo, the simulator). */
export const KAFKA_ALIASES: readonly Alias[] = KAFKA;

/** The Engine's earlier line command words, by the word they mean. */
const ENGINE_WORDS: Readonly<Record<string, string>> = {
  INIT: "PLUG",
  END: "UNPLUG",
  K: "FAIL",
};

/** Central's earlier line command words (`P <cp>` stops a CP, `R <cp>` resumes it). */
const CENTRAL_WORDS: Readonly<Record<string, string>> = {
  P: "STOP",
  R: "RESUME",
};

/**
 * The line command a word means at a program: an earlier word becomes ours, upper-cased; any
 * other word is returned upper-cased.
 *
 * @example
 * ```ts
 * import { lineWord } from "./aliases.ts";
 * console.log(lineWord("engine", "init")); // "PLUG"
 * console.log(lineWord("central", "P")); // "STOP"
 * ```
 */
export function lineWord(program: "engine" | "central", word: string): string {
  const upper = word.toUpperCase();
  const words = program === "engine" ? ENGINE_WORDS : CENTRAL_WORDS;
  return Object.hasOwn(words, upper) ? words[upper] : upper;
}
