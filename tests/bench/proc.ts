/**
 * What a process costs, read from Linux's /proc: CPU time (utime + stime of `/proc/<pid>/stat`)
 * and resident memory (`VmRSS` of `/proc/<pid>/status`); and how busy the whole machine is
 * (`/proc/stat`). Figures are over a window: CPU % of one core between two readings.
 *
 * Deno asks for every permission to read /proc's files itself: they are read through `cat`.
 *
 * @module
 */

const decoder = new TextDecoder();

/** A /proc file's text ("" when it cannot be read). */
function readProc(path: string): string {
  const out = new Deno.Command("cat", { args: [path], stdout: "piped", stderr: "null" })
    .outputSync();
  return out.success ? decoder.decode(out.stdout) : "";
}

/** Clock ticks per second of /proc's CPU times (Linux's USER_HZ: 100 on every common build). */
const TICKS_PER_S = 100;

/** CPU seconds a process has used so far (NaN when it is gone). */
export function cpuSeconds(pid: number): number {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return NaN;
  // the command may hold spaces and parentheses: fields count from the last ')'
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S; // utime, stime
}

/** Resident memory of a process, MB (NaN when it is gone). */
export function rssMb(pid: number): number {
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(readProc(`/proc/${pid}/status`))?.[1] ?? NaN);
  return Math.round(kb / 1024);
}

/**
 * The machine's CPU time so far, in ticks (all cores): busy, total, and stolen (time a virtual
 * machine's cores were given to others: counted busy, but no program here ran in it).
 */
export function machineTicks(): { busy: number; total: number; steal: number } {
  const line = readProc("/proc/stat").split("\n")[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = v[3] + (v[4] ?? 0); // idle + iowait
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total, steal: v[7] ?? 0 };
}

/** Samples processes over a window: their CPU % (of one core) and RSS (mean and max). */
export class ProcWindow {
  readonly #start = performance.now();
  readonly #cpu0: Map<number, number>;
  readonly #machine0 = machineTicks();
  readonly #rss = new Map<number, number[]>();
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(readonly pids: Record<string, number[]>) {
    this.#cpu0 = new Map(Object.values(pids).flat().map((p) => [p, cpuSeconds(p)]));
    this.#timer = setInterval(() => this.#sample(), 1_000);
    this.#sample();
  }

  #sample(): void {
    for (const pid of this.#cpu0.keys()) {
      const mb = rssMb(pid);
      if (Number.isNaN(mb)) continue;
      if (!this.#rss.has(pid)) this.#rss.set(pid, []);
      this.#rss.get(pid)!.push(mb);
    }
  }

  /** Ends the window: per name, CPU % of one core over it, RSS mean and max (summed over its pids). */
  end(): {
    seconds: number;
    machineBusyPct: number;
    machineStealPct: number;
    byName: Record<string, { cpuPct: number; rssMeanMb: number; rssMaxMb: number }>;
  } {
    clearInterval(this.#timer);
    this.#sample();
    const seconds = (performance.now() - this.#start) / 1000;
    const m = machineTicks();
    const ticks = Math.max(1, m.total - this.#machine0.total);
    const machineBusyPct = Math.round((100 * (m.busy - this.#machine0.busy)) / ticks);
    const machineStealPct = Math.round((100 * (m.steal - this.#machine0.steal)) / ticks);
    const byName: Record<string, { cpuPct: number; rssMeanMb: number; rssMaxMb: number }> = {};
    for (const [name, pids] of Object.entries(this.pids)) {
      let cpu = 0;
      let mean = 0;
      let max = 0;
      for (const pid of pids) {
        const used = cpuSeconds(pid) - (this.#cpu0.get(pid) ?? NaN);
        if (!Number.isNaN(used)) cpu += used;
        const rss = this.#rss.get(pid) ?? [];
        if (rss.length) {
          mean += rss.reduce((a, b) => a + b, 0) / rss.length;
          max += Math.max(...rss);
        }
      }
      byName[name] = {
        cpuPct: Math.round((100 * cpu) / seconds),
        rssMeanMb: Math.round(mean),
        rssMaxMb: Math.round(max),
      };
    }
    return { seconds: Math.round(seconds), machineBusyPct, machineStealPct, byName };
  }
}
