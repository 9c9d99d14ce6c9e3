/**
 * The whole fleet: its CPs spread over parts (child processes, or this one), each part with its
 * own timer wheel, lateness and Kafka connection. How many parts a fleet needs is fitted to the
 * machine ({@link defaultWorkers}): its cores, and the open-files limit of a process.
 *
 * @module
 */
import {
  childPart,
  localPart,
  type OnProgressSent,
  type PartHandle,
  type PartSpec,
} from "./parts.ts";
import { FILES_PER_CP, type PartFigures } from "./part.ts";

/** How the fleet is set up. */
export interface FleetOptions extends Omit<PartSpec, "ids"> {
  ids: string[];
  /** Child processes to spread the CPs over (0: every CP in this process). */
  workers: number;
  onProgressSent: OnProgressSent;
  /** Write a CPU profile of every child here. */
  cpuProfDir?: string;
}

/** The fleet's figures: the parts' summed, lateness the worst of them. */
export type FleetFigures = PartFigures;

/**
 * CPs a part holds when the open-files limit cannot be read (Deno reads /proc's own files only
 * with every permission): 2,500 CPs need about 10,000 files.
 */
const ASSUMED_CPS_PER_PROCESS = 2_500;

/** The open-files limit of this process (soft), from /proc; undefined when it cannot be read. */
export function openFilesLimit(): number | undefined {
  try {
    const limits = Deno.readTextFileSync("/proc/self/limits");
    const soft = /^Max open files\s+(\d+)/m.exec(limits)?.[1];
    return soft ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parts for `cps` CPs on this machine: none (this process) for a small fleet, else one per core,
 * and more when a process could not hold its share of sockets. Every process costs a runtime of
 * its own (tens of MB, and its own Kafka connection): never more than needed.
 */
export function defaultWorkers(cps: number, cores = navigator.hardwareConcurrency): number {
  if (cps < 500) return 0;
  const limit = openFilesLimit();
  const perProcess = limit === undefined
    ? ASSUMED_CPS_PER_PROCESS
    : Math.max(500, Math.floor((limit - 500) / FILES_PER_CP));
  return Math.max(cores, Math.ceil(cps / perProcess));
}

/** The running fleet. */
export class Fleet {
  readonly parts: PartHandle[] = [];
  readonly #partOf = new Map<string, PartHandle>();

  constructor(o: FleetOptions) {
    const { workers, onProgressSent, cpuProfDir, ids, ...spec } = o;
    const count = Math.max(1, workers);
    for (let w = 0; w < count; w++) {
      // every `count`-th CP: each part gets a share of every range of ids
      const mine = ids.filter((_, i) => i % count === w);
      if (mine.length === 0) continue;
      const partSpec = { ...spec, ids: mine, startRate: spec.startRate / count };
      const part = workers === 0
        ? localPart(partSpec, onProgressSent)
        : childPart(partSpec, onProgressSent, { cpuProfDir });
      this.parts.push(part);
      for (const id of mine) this.#partOf.set(id, part);
    }
  }

  /** Resolves once every CP has started. */
  get started(): Promise<void> {
    return Promise.all(this.parts.map((p) => p.started)).then(() => {});
  }

  /** Fails CP `id`'s Engine for `seconds`. */
  fail(id: string, seconds: number): void {
    this.#partOf.get(id)?.fail(id, seconds);
  }

  /** Unplugs every car that charges now, in every part. */
  unplugAll(): void {
    for (const part of this.parts) part.unplugAll();
  }

  /** The parts' figures, together. */
  figures(): FleetFigures {
    const sum: FleetFigures = {
      cps: 0,
      started: 0,
      registered: 0,
      byState: {},
      charging: 0,
      sent: 0,
      falseKo: 0,
      centralLost: 0,
      lagNowMs: 0,
      lagMaxMs: 0,
      lagP99Ms: 0,
    };
    for (const part of this.parts) {
      const f = part.figures;
      if (!f) continue;
      for (
        const k of [
          "cps",
          "started",
          "registered",
          "charging",
          "sent",
          "falseKo",
          "centralLost",
        ] as const
      ) {
        sum[k] += f[k];
      }
      for (const k of ["lagNowMs", "lagMaxMs", "lagP99Ms"] as const) {
        sum[k] = Math.max(sum[k], f[k]);
      }
      for (const [state, n] of Object.entries(f.byState)) {
        sum.byState[state] = (sum.byState[state] ?? 0) + n;
      }
    }
    return sum;
  }

  /** Stops every part. */
  async stop(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.stop()));
  }
}
