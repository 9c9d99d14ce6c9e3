/**
 * Where a program's time goes, from a V8 CPU profile (`deno run --cpu-prof`): self time by
 * function and by area (our modules by folder, each npm package, Deno's own code, the garbage
 * collector, idle). `deno run -A tests/bench/cpuprofile.ts FILE.cpuprofile [top] [from-s] [to-s]`.
 *
 * @module
 */

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Self time of one function or area, ms and % of the profile. */
export interface Share {
  name: string;
  ms: number;
  pct: number;
}

/** The area a function belongs to. */
export function areaOf(url: string, name: string): string {
  if (!url) return name.startsWith("(") ? name : "(native)";
  const npm = /\/npm\/[^/]+\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (npm) return `npm:${npm[1]}`;
  if (url.startsWith("ext:") || url.startsWith("node:")) return url.split("/")[0];
  const ours = /\/(central|cp|driver|shared|tests)\/([^/]+)\//.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  const file = /\/(central|cp|driver|shared|tests)\/[^/]+$/.exec(url);
  return file ? file[1] : url;
}

/**
 * Summarises a profile: the busiest functions and areas by self time, over the whole profile or
 * the window `[fromMs, toMs)` from its start (a steady load, without the start's burst).
 */
export function summarise(profile: Profile, top = 20, fromMs = 0, toMs = Infinity): {
  totalMs: number;
  idlePct: number;
  functions: Share[];
  areas: Share[];
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    at += ms;
    if (at >= fromMs && at < toMs) self.set(id, (self.get(id) ?? 0) + ms);
  }
  const length = (profile.endTime - profile.startTime) / 1000;
  const total = Math.min(length, toMs) - Math.min(length, fromMs);
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, ms] of self) {
    const f = byId.get(id)!.callFrame;
    const file = f.url.split("/").slice(-2).join("/");
    const fn = `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}`;
    fns.set(fn, (fns.get(fn) ?? 0) + ms);
    const area = areaOf(f.url, f.functionName);
    areas.set(area, (areas.get(area) ?? 0) + ms);
  }
  const shares = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, ms]) => ({
      name,
      ms: Math.round(ms),
      pct: Math.round((1000 * ms) / total) / 10,
    }));
  return {
    totalMs: Math.round(total),
    idlePct: Math.round((1000 * (areas.get("(idle)") ?? 0)) / total) / 10,
    functions: shares(fns),
    areas: shares(areas),
  };
}

if (import.meta.main) {
  const [file, top = "20", from = "0", to = "Infinity"] = Deno.args;
  if (!file || !(Number(from) < Number(to))) {
    console.error(
      "usage: deno run -A tests/bench/cpuprofile.ts FILE.cpuprofile [top] [from-s] [to-s]",
    );
    Deno.exit(2);
  }
  const profile = JSON.parse(await Deno.readTextFile(file));
  const s = summarise(profile, Number(top), 1000 * Number(from), 1000 * Number(to));
  const window = from !== "0" || to !== "Infinity" ? ` (from ${from} s to ${to} s)` : "";
  console.log(`${file}: ${s.totalMs} ms profiled${window}, ${s.idlePct} % idle`);
  console.log("by area (self time):");
  for (const a of s.areas) console.log(`  ${String(a.pct).padStart(5)} %  ${a.name}`);
  console.log("by function (self time):");
  for (const f of s.functions) console.log(`  ${String(f.pct).padStart(5)} %  ${f.name}`);
}
