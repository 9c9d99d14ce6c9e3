/**
 * Settings for every program: a flag, else an environment variable, else a line of `.env`,
 * else a default that makes a single-machine run work with no flags at all.
 *
 * Each program declares its settings once; {@link loadConfig} parses the command line with
 * `node:util` `parseArgs`, answers `--help`, accepts the original positional form and reports
 * bad input as a {@link ConfigError} (one clear line, never a stack trace).
 *
 * @module
 */
import { parseArgs, parseEnv } from "node:util";
import { idProblem } from "./ids.ts";
import type { Alias } from "./aliases.ts";

/** One setting a program accepts. */
export interface Setting {
  /** Environment variable that sets it (also read from `.env`). */
  env?: string;
  /** Value when nothing else sets it. */
  default?: string;
  /** One line for `--help`. */
  help: string;
  /** A boolean flag (`--json`) instead of a flag with a value. @default false */
  boolean?: boolean;
  /** Placeholder shown in `--help`. @default "VALUE" */
  placeholder?: string;
}

/** What a program accepts: its settings (by flag name) and its positional form. */
export interface ProgramSpec<K extends string> {
  /** Command that starts it, for `--help` (e.g. `deno task central`). */
  usage: string;
  /** One paragraph of what the program is. */
  summary: string;
  settings: Record<K, Setting>;
  /** Flag names filled, in order, by positional arguments (the original description's form). */
  positional?: K[];
  /**
   * Other positional forms, tried before {@link ProgramSpec.positional}: the first whose `test`
   * accepts the positional arguments names them.
   */
  positionalForms?: PositionalForm<K>[];
  /** Earlier spellings of its settings (`shared/aliases.ts`). */
  aliases?: readonly Alias[];
  /** Sub-commands a program accepts as its first positional argument, by usage (`enroll <id>`). */
  commands?: Record<string, string>;
  /** Extra lines for `--help` (examples, line commands). */
  notes?: string[];
}

/** A positional form: the settings the arguments give, in order, when `test` accepts them. */
export interface PositionalForm<K extends string> {
  names: K[];
  /** Whether the positional arguments are in this form. */
  test(positionals: string[]): boolean;
  /** How `--help` shows it (e.g. `<port> <kafka> <id>`). */
  usage: string;
}

/** Parsed settings: every string setting has a value or is `undefined`; booleans are booleans. */
export interface Config<K extends string> {
  values: Record<K, string | undefined>;
  flags: Record<K, boolean>;
  /** A sub-command given as first positional argument, if the program declares any. */
  command?: string;
  /** Positional arguments left after the sub-command and the positional form. */
  rest: string[];
  /** Lines for the user about what was given but changes nothing (ignored earlier spellings). */
  notices: string[];
}

/** Bad command line or setting: its message is one line a person can act on. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Thrown by {@link loadConfig} when `--help` was asked: its message is the help text. */
export class HelpRequested extends Error {
  constructor(readonly text: string) {
    super(text);
    this.name = "HelpRequested";
  }
}

/** Options of {@link loadConfig}. */
export interface LoadOptions {
  /** Command-line arguments. @default Deno.args */
  args?: string[];
  /** Environment. @default Deno.env.toObject() */
  env?: Record<string, string>;
  /** `.env` file to read (missing is fine). @default ".env" */
  envFile?: string;
}

/**
 * Parses the command line, environment and `.env` into settings.
 *
 * @example
 * ```ts
 * const cfg = loadConfig({
 *   usage: "deno task x",
 *   summary: "demo",
 *   settings: { kafka: { env: "EV_KAFKA", default: "127.0.0.1:9092", help: "Kafka" } },
 * }, { args: ["--kafka", "h:1"], env: {} });
 * // cfg.values.kafka === "h:1"
 * ```
 */
export function loadConfig<K extends string>(
  spec: ProgramSpec<K>,
  options: LoadOptions = {},
): Config<K> {
  const { args = Deno.args, env = safeEnv(), envFile = ".env" } = options;
  // `deno task x -- --id CP1` hands the program a literal leading `--`.
  const argv = args[0] === "--" ? args.slice(1) : [...args];
  const names = Object.keys(spec.settings) as K[];
  const parseOptions: Record<string, { type: "string" | "boolean" }> = {
    help: { type: "boolean" },
  };
  for (const name of names) {
    parseOptions[name] = { type: spec.settings[name].boolean ? "boolean" : "string" };
  }
  const aliases = spec.aliases ?? [];
  for (const alias of aliases) {
    if (alias.flag && !Object.hasOwn(parseOptions, alias.flag)) {
      parseOptions[alias.flag] = { type: "string" };
    }
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: parseOptions, allowPositionals: true, strict: true });
  } catch (e) {
    throw new ConfigError(`${cleanParseError(e)} (see --help)`);
  }
  if (parsed.values.help) throw new HelpRequested(helpText(spec));

  const positionals = [...parsed.positionals];
  let command: string | undefined;
  const commandNames = Object.keys(spec.commands ?? {}).map((c) => c.split(" ")[0]);
  if (positionals.length > 0 && commandNames.includes(positionals[0])) {
    command = positionals.shift();
  }
  const fromFile = readEnvFile(envFile);
  const values = {} as Record<K, string | undefined>;
  const flags = {} as Record<K, boolean>;
  const positionalNames = command ? [] : positionalFormOf(spec, positionals);
  const flagValue = (flag: string) => parsed.values[flag] as string | undefined;
  const envValue = (name: string | undefined, source: Record<string, string>) =>
    name === undefined ? undefined : emptyToUndefined(source[name]);
  for (const name of names) {
    const setting = spec.settings[name];
    const given = parsed.values[name];
    if (setting.boolean) {
      const fromEnv = setting.env ? env[setting.env] ?? fromFile[setting.env] : undefined;
      flags[name] = given === true || (given === undefined && isTrue(fromEnv));
      continue;
    }
    const index = positionalNames.indexOf(name);
    const positional = index >= 0 ? positionals[index] : undefined;
    const mine = aliases.filter((a) => a.to === name);
    const whole = mine.filter((a) => !a.part);
    // ours before an earlier spelling at each level: flag, positional, environment, .env, default
    const firstOf = (pick: (a: Alias) => string | undefined) =>
      whole.map(pick).find((v) => v !== undefined);
    const value = (given as string | undefined) ?? firstOf((a) => a.flag && flagValue(a.flag)) ??
      positional ?? envValue(setting.env, env) ?? firstOf((a) => envValue(a.env, env)) ??
      envValue(setting.env, fromFile) ?? firstOf((a) => envValue(a.env, fromFile)) ??
      setting.default;
    values[name] = given === undefined ? withParts(value, mine, flagValue, env, fromFile) : value;
  }
  const notices = aliases.filter((a) => !a.to && a.flag && flagValue(a.flag) !== undefined)
    .map((a) => a.ignored ?? `--${a.flag} is ignored`);
  const rest = positionals.slice(positionalNames.length);
  if (!command && rest.length > 0 && !spec.commands) {
    throw new ConfigError(`unexpected argument '${rest[0]}' (see --help)`);
  }
  if (!command && rest.length > 0 && spec.commands) {
    throw new ConfigError(`unknown command '${rest[0]}' (see --help)`);
  }
  return { values, flags, command, rest, notices };
}

/** The names the positional arguments give: the first form that accepts them, else `positional`. */
function positionalFormOf<K extends string>(spec: ProgramSpec<K>, positionals: string[]): K[] {
  const form = spec.positionalForms?.find((f) => f.test(positionals));
  return form?.names ?? spec.positional ?? [];
}

/**
 * A `host:port` value with the parts the earlier spellings give (`--central-host H
 * --central-port P` is `--central H:P`); a part not given keeps the value's own.
 */
function withParts(
  value: string | undefined,
  aliases: Alias[],
  flagValue: (flag: string) => string | undefined,
  env: Record<string, string>,
  fromFile: Record<string, string>,
): string | undefined {
  const part = (which: "host" | "port") => {
    const all = aliases.filter((a) => a.part === which);
    const sources = [
      ...all.map((a) => a.flag && flagValue(a.flag)),
      ...all.map((a) => a.env && emptyToUndefined(env[a.env])),
      ...all.map((a) => a.env && emptyToUndefined(fromFile[a.env])),
    ];
    return sources.find((v) => typeof v === "string" && v !== "") as string | undefined;
  };
  const host = part("host");
  const port = part("port");
  if (host === undefined && port === undefined) return value;
  // the first entry of a list (`a:1,b:2`) is the base a part changes
  const base = /^(?:(\[[^\]]+\]|[^:,]+):)?(\d+)/.exec((value ?? "").trim());
  const baseHost = base?.[1] ?? "127.0.0.1";
  const basePort = base?.[2] ?? "";
  const h = host ?? baseHost;
  return `${h.includes(":") && !h.startsWith("[") ? `[${h}]` : h}:${port ?? basePort}`;
}

/** Runs a program's main, turning {@link HelpRequested} and {@link ConfigError} into exit codes. */
export async function runMain(main: () => Promise<number | void>): Promise<never> {
  try {
    const code = await main();
    Deno.exit(code ?? 0);
  } catch (e) {
    if (e instanceof HelpRequested) {
      console.log(e.text);
      Deno.exit(0);
    }
    if (e instanceof ConfigError) {
      console.error(`error: ${e.message}`);
      Deno.exit(2);
    }
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}

/** Parses `host:port` (host defaults to 127.0.0.1 when only a port is given). */
export function parseHostPort(value: string, name: string): { hostname: string; port: number } {
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d+)$/.exec(value.trim());
  if (!match) throw new ConfigError(`'${name}' must be host:port, got '${value}'`);
  const hostname = (match[1] ?? "127.0.0.1").replace(/^\[|\]$/g, "");
  return { hostname, port: parsePort(match[2], name) };
}

/**
 * Parses a comma-separated list of `host:port` (several Central instances, tried in order).
 *
 * @example
 * ```ts
 * parseHostPorts("10.0.0.2:7000, 10.0.0.3:7000", "central"); // two addresses
 * ```
 */
export function parseHostPorts(value: string, name: string): { hostname: string; port: number }[] {
  const list = value.split(",").map((v) => v.trim()).filter((v) => v !== "");
  if (list.length === 0) {
    throw new ConfigError(`'${name}' must be host:port[,host:port…], got '${value}'`);
  }
  return list.map((v) => parseHostPort(v, name));
}

/** Parses a TCP port (0 lets the system choose). */
export function parsePort(value: string, name: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65535) {
    throw new ConfigError(`'${name}' must be a port number 0-65535, got '${value}'`);
  }
  return port;
}

/** The values a numeric setting may take (see `RANGES` in `settings.ts`). */
export interface NumberRange {
  /** The smallest value allowed. */
  min: number;
  /** The largest value allowed. */
  max: number;
  /** Only whole numbers. @default false */
  integer?: boolean;
  /** What the number counts, for the error message (e.g. "seconds"). */
  unit?: string;
}

/** The range of a number setting that gives none: 0 to a million. */
const ANY_NUMBER: NumberRange = { min: 0, max: 1_000_000 };

/**
 * Parses a decimal number within `range`; anything else is a {@link ConfigError} that names the
 * setting, the range and what was given (so that, say, a timeout beyond a timer's reach never
 * fires at once).
 *
 * @example
 * ```ts
 * import { parseNumber } from "./config.ts";
 * parseNumber("60", "reservation-timeout", { min: 1, max: 86400, unit: "seconds" }); // 60
 * ```
 */
export function parseNumber(value: string, name: string, range: NumberRange = ANY_NUMBER): number {
  const { min, max, integer = false, unit } = range;
  const n = Number(value);
  const fits = value.trim() !== "" && Number.isFinite(n) && n >= min && n <= max &&
    (!integer || Number.isInteger(n));
  if (!fits) {
    const what = integer ? "a whole number" : "a number";
    throw new ConfigError(
      `'${name}' must be ${what} from ${min} to ${max}${unit ? ` (${unit})` : ""}, got '${value}'`,
    );
  }
  return n;
}

/** Returns the value of a setting, or a {@link ConfigError} naming how to give it. */
export function required<K extends string>(cfg: Config<K>, spec: ProgramSpec<K>, name: K): string {
  const value = cfg.values[name];
  if (value === undefined || value === "") {
    const env = spec.settings[name].env;
    throw new ConfigError(`missing --${name}${env ? ` (or ${env})` : ""}`);
  }
  return value;
}

/** The value of an id setting (CP or driver), checked: a {@link ConfigError} says what is wrong. */
export function requiredId<K extends string>(
  cfg: Config<K>,
  spec: ProgramSpec<K>,
  name: K,
): string {
  const value = required(cfg, spec, name);
  const problem = idProblem(value, `--${name}`);
  if (problem) throw new ConfigError(problem);
  return value;
}

function helpText<K extends string>(spec: ProgramSpec<K>): string {
  const lines = [`Usage: ${spec.usage}`, "", spec.summary, ""];
  if (spec.commands) {
    lines.push("Commands:");
    for (const [name, help] of Object.entries(spec.commands)) {
      lines.push(`  ${name.padEnd(26)} ${help}`);
    }
    lines.push("");
  }
  lines.push("Options (flag, else environment, else .env, else default):");
  for (const name of Object.keys(spec.settings) as K[]) {
    const s = spec.settings[name];
    const flag = s.boolean ? `--${name}` : `--${name} ${s.placeholder ?? "VALUE"}`;
    const extra = [s.env, s.default !== undefined ? `default ${s.default}` : undefined]
      .filter(Boolean).join(", ");
    lines.push(`  ${flag.padEnd(26)} ${s.help}${extra ? ` [${extra}]` : ""}`);
  }
  lines.push(`  ${"--help".padEnd(26)} show this help`);
  const forms = [
    ...(spec.positionalForms ?? []).map((f) => f.usage),
    ...(spec.positional?.length ? [spec.positional.map((p) => `<${p}>`).join(" ")] : []),
  ];
  if (forms.length) lines.push("", `Positional form: ${forms.join("   or   ")}`);
  const earlier = (spec.aliases ?? []).map((a) => a.flag ? `--${a.flag}` : a.env!);
  if (earlier.length) {
    lines.push(`Earlier spellings accepted: ${[...new Set(earlier)].join(", ")}`);
  }
  if (spec.notes?.length) lines.push("", ...spec.notes);
  return lines.join("\n");
}

function readEnvFile(path: string): Record<string, string> {
  try {
    return parseEnv(Deno.readTextFileSync(path)) as Record<string, string>;
  } catch {
    return {};
  }
}

function safeEnv(): Record<string, string> {
  try {
    return Deno.env.toObject();
  } catch {
    return {};
  }
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value);
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function cleanParseError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split("\n")[0].replace(/\. To specify.*$/, "").replace(
    /^Option '(.*?)'.*unknown.*/i,
    "unknown option '$1'",
  );
}
