/**
 * The Engine's journal: the supply in progress and the ends not yet confirmed by Kafka, kept in
 * one small JSON file so that a restarted Engine can report how an interrupted supply ended.
 *
 * A write is atomic and durable: the whole journal goes to a temporary file, which is flushed to
 * disk, renamed over the journal, and the folder flushed too (where the system allows), so a crash
 * leaves the old journal or the new one, never half of one. A journal that cannot be read back
 * (torn, garbage, or JSON of another shape) is set aside as `<file>.bad` with a clear message, and
 * the Engine starts with nothing kept.
 *
 * @module
 */
import type { EndReason, Supply, SupplyEnd } from "./supply.ts";
import { isValidId } from "../../shared/ids.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";

/** What the Engine keeps on disk. */
export interface Kept {
  supply?: Supply;
  pendingEnds: SupplyEnd[];
}

/** Options of {@link Journal}. */
export interface JournalOptions {
  /** Told when a journal is set aside or cannot be written. @default a warning in the log */
  warn?: (message: string) => void;
}

const END_REASONS: readonly EndReason[] = ["unplugged", "stopped", "fault", "cancelled", "restart"];
const encoder = new TextEncoder();

/**
 * One Engine's journal file.
 *
 * @example
 * ```ts ignore
 * import { Journal } from "./journal.ts";
 * const journal = new Journal("./data/engine-CP1.json");
 * const kept = await journal.read(); // { pendingEnds: [] } the first time
 * journal.write({ pendingEnds: [] });
 * ```
 */
export class Journal {
  readonly #file: string;
  readonly #warn: (message: string) => void;

  /** A journal kept in `file`. */
  constructor(file: string, options: JournalOptions = {}) {
    const log = createLogger("engine");
    const { warn = (m) => log.warn(m) } = options;
    this.#file = file;
    this.#warn = warn;
  }

  /** What was kept; nothing when there is no journal, or when it is set aside as unreadable. */
  async read(): Promise<Kept> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.#file);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return { pendingEnds: [] };
      this.#warn(`journal ${this.#file} cannot be read (${errorMessage(e)}): nothing restored`);
      return { pendingEnds: [] };
    }
    let problem: string;
    try {
      const kept = parseKept(JSON.parse(text));
      if (typeof kept !== "string") return kept;
      problem = `malformed (${kept})`;
    } catch {
      problem = `unreadable (not JSON: torn or garbage, ${text.length} bytes)`;
    }
    await this.#setAside(problem);
    return { pendingEnds: [] };
  }

  /** Keeps `kept` (or removes the journal when it holds nothing). Never throws: tells `warn`. */
  write(kept: Kept): void {
    try {
      if (!kept.supply && kept.pendingEnds.length === 0) {
        Deno.removeSync(this.#file);
        return;
      }
      const tmp = `${this.#file}.tmp`;
      const file = Deno.openSync(tmp, { write: true, create: true, truncate: true });
      try {
        const bytes = encoder.encode(JSON.stringify(kept));
        for (let done = 0; done < bytes.length;) done += file.writeSync(bytes.subarray(done));
        file.syncSync();
      } finally {
        file.close();
      }
      Deno.renameSync(tmp, this.#file);
      syncFolderOf(this.#file);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        this.#warn(`cannot keep the supply on disk in ${this.#file}: ${errorMessage(e)}`);
      }
    }
  }

  async #setAside(problem: string): Promise<void> {
    const bad = `${this.#file}.bad`;
    try {
      await Deno.rename(this.#file, bad);
      this.#warn(
        `journal ${this.#file} is ${problem}: set aside as ${bad}; starting with no supply kept`,
      );
    } catch (e) {
      this.#warn(
        `journal ${this.#file} is ${problem} and cannot be set aside (${
          errorMessage(e)
        }); starting with no supply kept`,
      );
    }
  }
}

/**
 * A journal's content checked field by field: the {@link Kept} it holds, or what is wrong.
 *
 * @example
 * ```ts
 * import { parseKept } from "./journal.ts";
 * console.log(parseKept({ pendingEnds: "lots" })); // "pendingEnds is not a list"
 * ```
 */
export function parseKept(value: unknown): Kept | string {
  if (!isObject(value)) return "not a JSON object";
  const kept: Kept = { pendingEnds: [] };
  if (value.supply !== undefined) {
    const problem = supplyProblem(value.supply);
    if (problem) return `supply: ${problem}`;
    kept.supply = value.supply as Supply;
  }
  const ends = value.pendingEnds ?? [];
  if (!Array.isArray(ends)) return "pendingEnds is not a list";
  for (const [i, end] of ends.entries()) {
    const problem = endProblem(end);
    if (problem) return `pendingEnds[${i}]: ${problem}`;
  }
  kept.pendingEnds = ends as SupplyEnd[];
  return kept;
}

type Fields = Record<string, unknown>;

function supplyProblem(s: unknown): string | undefined {
  if (!isObject(s)) return "not an object";
  return common(s) ??
    (s.phase !== "authorized" && s.phase !== "charging" ? "bad phase" : undefined) ??
    (!isTime(s.authorizedAt) ? "bad authorizedAt" : undefined) ??
    (s.startedAt !== undefined && !isTime(s.startedAt) ? "bad startedAt" : undefined) ??
    (!isFigure(s.kw) ? "bad kw" : undefined) ??
    (!isFigure(s.pricePerKwh) ? "bad pricePerKwh" : undefined);
}

function endProblem(e: unknown): string | undefined {
  if (!isObject(e)) return "not an object";
  return common(e) ??
    (!isTime(e.start) ? "bad start" : undefined) ??
    (!isTime(e.end) ? "bad end" : undefined) ??
    (typeof e.partial !== "boolean" ? "bad partial" : undefined) ??
    (!END_REASONS.includes(e.reason as EndReason) ? "bad reason" : undefined);
}

/** The fields a supply and its end share. */
function common(x: Fields): string | undefined {
  if (typeof x.sessionId !== "string" || x.sessionId === "" || x.sessionId.length > 500) {
    return "bad sessionId";
  }
  if (!isValidId(x.driverId)) return "bad driverId";
  if (!isFigure(x.kwh)) return "bad kwh";
  if (!isFigure(x.eur)) return "bad eur";
  return undefined;
}

function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFigure(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/** A time in ms since the epoch that a Date can hold. */
function isTime(value: unknown): boolean {
  return isFigure(value) && !Number.isNaN(new Date(value as number).getTime());
}

/** Flushes the folder of `file`, so that a rename in it survives a crash (where allowed). */
function syncFolderOf(file: string): void {
  const slash = file.lastIndexOf("/");
  const folder = slash < 0 ? "." : slash === 0 ? "/" : file.slice(0, slash);
  try {
    const dir = Deno.openSync(folder, { read: true });
    try {
      dir.syncSync();
    } finally {
      dir.close();
    }
  } catch {
    // some systems cannot open or flush a folder: the rename is still atomic
  }
}
