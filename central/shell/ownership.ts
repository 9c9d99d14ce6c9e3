/**
 * Which partitions of the CP topics this instance owns, as Kafka assigns them to its consumers
 * (one per CP topic), and the take-over of a partition gained: its CPs and live supplies are
 * loaded from the database and handed to the core before any of its records is handled.
 *
 * @module
 */
import type { CpInfo, Input, LiveSession } from "../core/inputs.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";
import { sleep } from "../../shared/backoff.ts";

const log = createLogger("central");

/** What a take-over needs. */
export interface OwnershipOptions {
  /** The CPs and live supplies of `partitions`, from the database. */
  load(partitions: number[]): Promise<{ cps: CpInfo[]; sessions: LiveSession[] }>;
  dispatch(input: Input): Promise<void>;
  /** Called before partitions are given up (saves what is kept in memory). */
  beforeLoss(): Promise<void>;
  /** Called after partitions were taken over (e.g. sends tickets left unsent). */
  afterGain(): void;
}

/** How long a record of a partition not (yet) owned waits before its batch is fetched again. */
const READY_WAIT_MS = 10_000;

/** The partitions this instance owns. */
export class Ownership {
  readonly #assigned = new Map<string, Set<number>>();
  readonly #owned = new Set<number>();
  readonly #ready = new Set<number>();
  #queue: Promise<void> = Promise.resolve();

  constructor(private readonly o: OwnershipOptions) {}

  /** Partitions owned (and taken over) right now. */
  get owned(): ReadonlySet<number> {
    return this.#ready;
  }

  /** A consumer (reading `topic`) was assigned `partitions`. */
  assigned(topic: string, partitions: number[]): void {
    this.#assigned.set(topic, new Set(partitions));
    const now = new Set<number>();
    for (const set of this.#assigned.values()) for (const p of set) now.add(p);
    const gained = [...now].filter((p) => !this.#owned.has(p));
    const lost = [...this.#owned].filter((p) => !now.has(p));
    for (const p of gained) this.#owned.add(p);
    for (const p of lost) this.#owned.delete(p);
    if (gained.length === 0 && lost.length === 0) return;
    this.#queue = this.#queue.then(() => this.#change(gained, lost)).catch((e) =>
      log.error(`ownership: ${errorMessage(e)}`)
    );
  }

  async #change(gained: number[], lost: number[]): Promise<void> {
    if (lost.length > 0) {
      for (const p of lost) this.#ready.delete(p);
      await this.o.beforeLoss().catch(() => {});
      await this.o.dispatch({ type: "disowned", partitions: lost });
      log.info(`gave up partitions ${lost.join(",")} of the CP topics`);
    }
    if (gained.length === 0) return;
    while (true) {
      try {
        const { cps, sessions } = await this.o.load(gained);
        await this.o.dispatch({ type: "owned", partitions: gained, cps, sessions });
        break;
      } catch (e) {
        log.warn(`taking over partitions ${gained.join(",")}: ${errorMessage(e)} (trying again)`);
        await sleep(1_000);
      }
    }
    // owned meanwhile by someone else again? then not ready
    for (const p of gained) if (this.#owned.has(p)) this.#ready.add(p);
    log.info(`own partitions ${[...this.#ready].sort((a, b) => a - b).join(",")} of the CP topics`);
    this.o.afterGain();
  }

  /**
   * Resolves once partition `p` is owned and taken over; rejects after a while when it is not
   * (the records are fetched again, by whoever owns them by then).
   */
  async ready(p: number): Promise<void> {
    const deadline = Date.now() + READY_WAIT_MS;
    while (!this.#ready.has(p)) {
      if (Date.now() > deadline) throw new Error(`partition ${p} is not owned here (yet)`);
      await sleep(20);
    }
  }
}
