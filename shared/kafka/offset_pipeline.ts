/**
 * Records handled without holding up the next fetch, and offsets committed only as far as they
 * are done. kafkajs fetches again only once every batch of the last fetch was handled; a batch
 * whose records wait on the database or the broker (a claim, a stored end) kept the next
 * requests waiting for as long (a driver's request waited 20–50 ms behind the batch before it).
 * With this, a consumer starts each record's work, tells kafkajs the batch is read, and fetches
 * on; the group's offset moves to a record only once it and every record before it on its
 * partition are done, so a crash or a hand-over reads again what was not finished (consumers
 * know records they have seen). A record whose work failed holds its partition's offset where it
 * is: `onFailed` is told, so that the consumer starts again from there and reads it again.
 *
 * @module
 */

interface Tracked {
  offset: string;
  done: boolean;
  failed: boolean;
}

/** A partition's next offset to commit. */
export interface CommitPoint {
  topic: string;
  partition: number;
  /** The next offset to read (the last done record's + 1). */
  offset: string;
}

/** Tracks the records in progress, by partition, in offset order. */
export class OffsetPipeline {
  #queues = new Map<string, { topic: string; partition: number; records: Tracked[] }>();
  #pending = 0;
  #waiters: Array<{ below: number; resolve(): void }> = [];
  #generation = 0;

  /** `onFailed`: a record's work failed (its offset is not committed: it must be read again). */
  constructor(private readonly onFailed: (error: unknown) => void = () => {}) {}

  /** Records started and not done yet. */
  get pending(): number {
    return this.#pending;
  }

  /** A record's work started; `work` resolves when it is done, rejects when it must be redone. */
  track(topic: string, partition: number, offset: string, work: Promise<unknown>): void {
    const key = `${topic}#${partition}`;
    let queue = this.#queues.get(key);
    if (!queue) this.#queues.set(key, queue = { topic, partition, records: [] });
    const record: Tracked = { offset, done: false, failed: false };
    queue.records.push(record);
    this.#pending++;
    const generation = this.#generation;
    const settle = (failed: boolean) => {
      if (generation !== this.#generation) return; // forgotten by reset(): not counted again
      record.done = true;
      record.failed = failed;
      this.#pending--;
      this.#wake();
    };
    work.then(() => settle(false), (e) => {
      settle(true);
      if (generation === this.#generation) this.onFailed(e);
    });
  }

  /** Resolves once fewer than `limit` records are in progress (so that a backlog stays bounded). */
  room(limit: number): Promise<void> {
    if (this.#pending < limit) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ below: limit, resolve }));
  }

  /** Resolves once every record tracked now is done. */
  drained(): Promise<void> {
    return this.room(1);
  }

  /**
   * Where each partition's offset may move now (each done record in a row from the oldest, up to
   * a failed one), and forgets those records. Partitions with nothing new done are left out.
   */
  takeCommits(): CommitPoint[] {
    const points: CommitPoint[] = [];
    for (const [key, queue] of this.#queues) {
      let last: string | undefined;
      while (queue.records[0]?.done && !queue.records[0].failed) {
        last = queue.records.shift()!.offset;
      }
      if (last !== undefined) {
        points.push({
          topic: queue.topic,
          partition: queue.partition,
          offset: String(BigInt(last) + 1n),
        });
      }
      if (queue.records.length === 0) this.#queues.delete(key);
    }
    return points;
  }

  /**
   * Forgets every record (the partitions were handed out again: their offsets are not ours to
   * move, and what was not committed is read again). Work in progress goes on, uncounted.
   */
  reset(): void {
    this.#generation++;
    this.#queues.clear();
    this.#pending = 0;
    this.#wake();
  }

  #wake(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (this.#pending >= w.below) return true;
      w.resolve();
      return false;
    });
  }
}
