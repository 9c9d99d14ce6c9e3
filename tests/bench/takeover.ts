/**
 * Central instance killed → its CPs served by another instance (BRIEF §8: < 10 s, no supply
 * interrupted). Two instances on the PostgreSQL server, CPs charging; the instance that owns
 * some of them is SIGKILLed; measured until the survivor owns every partition, and until it
 * serves the dead one's CPs (their kWh moves on the survivor's API).
 *
 * @module
 */
import { plugIn, startNetwork, type TestCp, waitForEvents } from "../support/network.ts";

/** What one round measured, in ms from the kill. */
export interface TakeoverRound {
  ownedAllMs: number;
  servedMs: number;
  /** Supplies that ended (they must all go on). */
  interrupted: number;
}

async function ownedPartitions(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^ev_owned_partitions (\d+)/m.exec(text)?.[1] ?? 0);
}

async function kwh(port: number, cp: string): Promise<number> {
  const view = await (await fetch(`http://127.0.0.1:${port}/api/cps/${cp}`)).json();
  return view.state === "charging" ? Number(view.kwh ?? 0) : NaN;
}

/** Measures `rounds` take-overs of 6 charging CPs. */
export async function measureTakeover(rounds: number, say: (t: string) => void) {
  await using net = await startNetwork({ postgres: true });
  const a = { program: net.central, http: net.httpPort, cp: net.cpPort };
  const b = await net.startInstance("B");
  const cps: TestCp[] = [];
  for (let i = 0; i < 6; i++) {
    cps.push(await net.addCp(`T${i}`, undefined, [], i % 2 ? [a.cp, b.cp] : [b.cp, a.cp]));
  }
  for (const cp of cps) await net.waitState(cp.id, "available", 40_000, b.http);
  const results: TakeoverRound[] = [];
  for (let r = 0; r < rounds; r++) {
    const drivers = await Promise.all(
      cps.map((cp) => net.driver(`TD${r}${cp.id}`, ["--cp", cp.id])),
    );
    for (const d of drivers) await waitForEvents(d, "authorized");
    for (const cp of cps) await plugIn(cp.engine);
    for (const d of drivers) await waitForEvents(d, "progress", 3);
    // which CPs the victim (A) owns: their state is announced by A, read on A's API
    const before = new Map<string, number>();
    for (const cp of cps) before.set(cp.id, await kwh(b.http, cp.id));
    const t0 = performance.now();
    await a.program.kill();
    let ownedAllMs = NaN;
    let servedMs = NaN;
    while (
      performance.now() - t0 < 30_000 && (Number.isNaN(ownedAllMs) || Number.isNaN(servedMs))
    ) {
      const now = performance.now() - t0;
      if (Number.isNaN(ownedAllMs) && await ownedPartitions(b.http) === 12) ownedAllMs = now;
      if (Number.isNaN(servedMs)) {
        // every CP's figures moved on the survivor since the kill: all of them are served
        let all = true;
        for (const cp of cps) {
          if (!(await kwh(b.http, cp.id) > before.get(cp.id)! + 0.001)) all = false;
        }
        if (all) servedMs = now;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const cp of cps) await cp.engine.say("E");
    let interrupted = 0;
    for (const d of drivers) {
      await d.done;
      const ticket = d.stdout.map((l) => l.startsWith("{") ? JSON.parse(l) : {}).find((e) =>
        e.type === "ticket"
      );
      if (!ticket || ticket.reason !== "unplugged") interrupted++;
    }
    results.push({
      ownedAllMs: Math.round(ownedAllMs),
      servedMs: Math.round(servedMs),
      interrupted,
    });
    say(
      `takeover ${r + 1}/${rounds}: owns all in ${Math.round(ownedAllMs)} ms, serves all in ${
        Math.round(servedMs)
      } ms, ${interrupted} interrupted`,
    );
    a.program = (await net.startInstance(`A${r}`, { http: a.http, cp: a.cp })).program;
    for (const cp of cps) await net.waitState(cp.id, "available", 40_000, a.http);
    await new Promise((r) => setTimeout(r, 3_000)); // the group settles with A back
  }
  return results;
}
