/**
 * The figures of live supplies, saved every few seconds in one statement rather than one write
 * per telemetry record: telemetry is cumulative, and a supply's end stores its final figures.
 *
 * @module
 */
import type { SessionRepo } from "../db/session_repo.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";

const log = createLogger("central");

/** Keeps the latest figures per session and saves them together. */
export class ProgressSaver {
  #latest = new Map<string, { kw: number; kwh: number; eur: number }>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #saving: Promise<void> = Promise.resolve();

  constructor(private readonly sessions: Pick<SessionRepo, "progress">, readonly everyMs = 2_000) {}

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
    this.#saving = this.#saving.then(() => this.sessions.progress(rows)).catch((e) =>
      log.warn(`figures of ${rows.length} supplies not saved: ${errorMessage(e)}`)
    );
    return this.#saving;
  }

  /** Stops, saving what is kept. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
