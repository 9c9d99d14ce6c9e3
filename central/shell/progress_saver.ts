/**
 * The figures of live supplies, saved every few seconds in a few statements rather than one write
 * per telemetry record: telemetry is cumulative, and a supply's end stores its final figures.
 *
 * The rows go in chunks, one after the other: the embedded database serves one statement at a
 * time, and a claim (a driver waiting for an answer) waits for one chunk at most, not for all of
 * them (2,000 rows in one statement took 200 ms there, and claims queued behind it). They go in
 * the database's lowest lane (`lanes.ts`).
 *
 * @module
 */
import type { SessionRepo } from "../db/session_repo.ts";
import { type DbLanes, NO_LANES } from "../db/lanes.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";

const log = createLogger("central");

/** Keeps the latest figures per session and saves them together. */
export class ProgressSaver {
  #latest = new Map<string, { kw: number; kwh: number; eur: number }>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly sessions: Pick<SessionRepo, "progress">,
    private readonly db: Pick<DbLanes, "run"> = NO_LANES,
    readonly everyMs = 2_000,
    readonly chunkRows = 100,
  ) {}

  /** Starts saving every `everyMs`. */
  start(): void {
    this.#timer ??= setInterval(() => this.flush(), this.everyMs);
  }

  /** The latest figures of a supply. */
  save(sessionId: string, f: { kw: number; kwh: number; eur: number }): void {
    this.#latest.set(sessionId, { kw: f.kw, kwh: f.kwh, eur: f.eur });
  }

  /** Saves what is kept now (after the save on its way). */
  flush(): Promise<void> {
    const rows = [...this.#latest].map(([id, f]) => ({ id, ...f }));
    this.#latest = new Map();
    this.#saving = this.#saving.then(async () => {
      for (let i = 0; i < rows.length; i += this.chunkRows) {
        const chunk = rows.slice(i, i + this.chunkRows);
        // the lowest lane: every other statement goes first
        await this.db.run("background", () => this.sessions.progress(chunk)).catch((e) =>
          log.warn(`figures of ${chunk.length} supplies not saved: ${errorMessage(e)}`)
        );
      }
    });
    return this.#saving;
  }

  /** Stops, saving what is kept. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
