/**
 * Database statements in lanes by urgency, a few at a time: what somebody waits for (a claim a
 * driver's answer waits on, a session an Engine's report waits on) goes before the state writes
 * of a busy network, and those before the figures saved every few seconds. The embedded
 * database runs one statement at a time, in the order they came: without lanes, a driver's claim
 * waited behind thousands of writes queued when 2,000 supplies started at once (1 s).
 *
 * @module
 */

/** How urgent a statement is: `urgent` (somebody waits), `normal` (state), `background`. */
export type Lane = "urgent" | "normal" | "background";

const ORDER: Lane[] = ["urgent", "normal", "background"];

interface Waiting {
  run(): void;
}

/** No lanes: every statement straight to the database (tests, and callers given none). */
export const NO_LANES: Pick<DbLanes, "run"> = { run: (_lane, statement) => statement() };

/** Runs statements, at most `inFlight` at once, the most urgent lane first. */
export class DbLanes {
  readonly #queues = new Map<Lane, Waiting[]>(ORDER.map((lane) => [lane, []]));
  #running = 0;

  /** `inFlight`: statements handed to the database at once (more queue here, by lane). */
  constructor(readonly inFlight: number) {}

  /** Statements waiting for their turn, by lane. */
  waiting(): Record<Lane, number> {
    return Object.fromEntries(ORDER.map((l) => [l, this.#queues.get(l)!.length])) as Record<
      Lane,
      number
    >;
  }

  /** Runs `statement` when its turn comes; resolves or rejects as it does. */
  run<T>(lane: Lane, statement: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queues.get(lane)!.push({
        run: () => {
          this.#running++;
          let done: Promise<T>;
          try {
            done = statement();
          } catch (e) {
            done = Promise.reject(e);
          }
          done.then(resolve, reject).finally(() => {
            this.#running--;
            this.#next();
          });
        },
      });
      this.#next();
    });
  }

  #next(): void {
    while (this.#running < this.inFlight) {
      const next = ORDER.map((lane) => this.#queues.get(lane)!).find((q) => q.length > 0)
        ?.shift();
      if (!next) return;
      next.run();
    }
  }
}
