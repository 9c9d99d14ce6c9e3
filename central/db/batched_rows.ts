/**
 * Rows of one kind (writes, or a registration's lookups) gathered while they wait for their turn,
 * then run many per statement. One statement costs the embedded database about 0.6–1 ms whatever it
 * does, and a row in a statement of a hundred about 25–40 µs (a server: 160 and 17 µs): when 3,000
 * supplies start at once, their state writes one by one kept it busy for seconds, and the tickets
 * waited behind them.
 *
 * A row is queued in its lane; when the turn comes, every row of its kind waiting by then
 * (up to `maxRows`) goes in one statement. A statement the database refuses is tried again row by
 * row, so that one bad row fails alone; when the database is away, every row's caller is told.
 *
 * @module
 */
import type { DbLanes, Lane } from "./lanes.ts";
import { isDeterministic } from "../shell/failures.ts";

interface Waiting<R, A> {
  row: R;
  resolve(answer: A): void;
  reject(e: unknown): void;
}

/** Runs rows of one kind many per statement; `write` answers each row in order (or nothing). */
export class BatchedRows<R, A = void> {
  #waiting: Waiting<R, A>[] = [];
  #queued = false;

  constructor(
    private readonly lanes: Pick<DbLanes, "run">,
    readonly lane: Lane,
    private readonly write: (rows: R[]) => Promise<A[] | void>,
    readonly maxRows = 100,
  ) {}

  /** Writes `row` with the others waiting at its turn; resolves with its answer. */
  add(row: R): Promise<A> {
    return new Promise<A>((resolve, reject) => {
      this.#waiting.push({ row, resolve, reject });
      this.#queue();
    });
  }

  #queue(): void {
    if (this.#queued || this.#waiting.length === 0) return;
    this.#queued = true;
    this.lanes.run(this.lane, () => {
      this.#queued = false;
      const batch = this.#waiting.splice(0, this.maxRows);
      this.#queue(); // the rest take the next turn
      return this.#run(batch);
    }).catch(() => {}); // each row's caller is told
  }

  async #run(batch: Waiting<R, A>[]): Promise<void> {
    try {
      settle(batch, await this.write(batch.map((w) => w.row)));
    } catch (e) {
      if (batch.length === 1 || !isDeterministic(e)) return batch.forEach((w) => w.reject(e));
      for (const w of batch) {
        await this.write([w.row]).then((answers) => settle([w], answers), w.reject);
      }
    }
  }
}

function settle<R, A>(batch: Waiting<R, A>[], answers: A[] | void): void {
  batch.forEach((w, i) => w.resolve(answers?.[i] as A));
}

/**
 * Runs `many` over rows whose keys differ, and each row whose key came earlier after it, alone:
 * in one statement a row is seen once (two ends of one supply would both look stored).
 */
export async function oncePerKey<R, A>(
  rows: R[],
  key: (row: R) => string,
  many: (rows: R[]) => Promise<A[]>,
): Promise<A[]> {
  const seen = new Set<string>();
  const first: number[] = [];
  const again: number[] = [];
  rows.forEach((r, i) => {
    const k = key(r);
    (seen.has(k) ? again : first).push(i);
    seen.add(k);
  });
  if (again.length === 0) return await many(rows);
  const answers = new Array<A>(rows.length);
  (await many(first.map((i) => rows[i]))).forEach((a, j) => (answers[first[j]] = a));
  for (const i of again) answers[i] = (await many([rows[i]]))[0];
  return answers;
}
