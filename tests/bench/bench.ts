/**
 * `deno task bench`: measures the quality bars of BRIEF §8 that one machine can measure, with the
 * real programs, broker and database, and writes the figures (with the machine, the date and the
 * commit) to `bench/results/<date>-<commit>.json`, then prints a one-line summary.
 *
 * - Engine KO key → CP faulted on Central (p50/p99 over repeated KO/recover)
 * - Engine process killed → CP faulted on Central, and its restart on the same port
 * - driver request → answer (authorized/denied), idle, measured by simulated drivers
 * - a Central instance killed → its CPs served by another (with a PostgreSQL server)
 *
 * @module
 */
import { startNetwork } from "../support/network.ts";
import { start } from "../support/programs.ts";
import { percentile } from "../../cp/sim/drivers.ts";
import { findPostgresServer } from "../support/postgres.ts";
import { measureTakeover } from "./takeover.ts";

const ROUNDS = Number(Deno.env.get("EV_BENCH_ROUNDS") ?? 20);
const say = (text: string) => console.error(`bench: ${text}`);

/** Polls Central until the CP shows `state`; returns the ms it took from `since`. */
async function timeUntil(
  state: () => Promise<string>,
  want: string,
  since: number,
  timeoutMs = 10_000,
): Promise<number> {
  while (performance.now() - since < timeoutMs) {
    if (await state() === want) return performance.now() - since;
    await new Promise((r) => setTimeout(r, 5));
  }
  return NaN;
}

const figures: Record<string, number> = {};
const stats = (name: string, values: number[]) => {
  const ok = values.filter((v) => !Number.isNaN(v));
  figures[`${name}P50Ms`] = Math.round(percentile(ok, 50));
  figures[`${name}P99Ms`] = Math.round(percentile(ok, 99));
  figures[`${name}Missed`] = values.length - ok.length;
};

{
  await using net = await startNetwork();
  const cp = await net.addCp("B1");
  await net.waitState("B1", "available");
  const state = () => net.state("B1");

  say(`KO key → faulted, ${ROUNDS} rounds`);
  const ko: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // a random moment within the Monitor's 1 s check cycle
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 1000));
    const t0 = performance.now();
    await cp.engine.say("F");
    ko.push(await timeUntil(state, "faulted", t0));
    await cp.engine.say("R");
    await timeUntil(state, "available", performance.now());
  }
  stats("koKeyToFaulted", ko);

  say(`engine killed → faulted, restarted on the same port, ${Math.ceil(ROUNDS / 2)} rounds`);
  const killed: number[] = [];
  const restart: number[] = [];
  for (let i = 0; i < Math.ceil(ROUNDS / 2); i++) {
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 1000));
    const t0 = performance.now();
    await cp.engine.kill();
    killed.push(await timeUntil(state, "faulted", t0));
    const t1 = performance.now();
    cp.engine = await net.startEngine("B1", cp.enginePort);
    restart.push(await timeUntil(state, "available", t1, 30_000));
  }
  stats("engineKilledToFaulted", killed);
  stats("engineRestartToAvailable", restart);

  say("driver request → answer, idle (20 simulated drivers for 30 s)");
  const sim = await start(
    "sim",
    [
      "--cps",
      "20",
      "--duration",
      "30",
      "--charge",
      "2",
      "--pause",
      "1",
      "--prefix",
      "BS",
      "--json",
      "--api",
      `http://127.0.0.1:${net.httpPort}`,
      "--central",
      `127.0.0.1:${net.cpPort}`,
    ],
    net.env,
    "sim",
  );
  await sim.done;
  const result = JSON.parse(sim.stdout.at(-1) ?? "{}");
  figures.requestToAnswerIdleP50Ms = result.answerMsP50;
  figures.requestToAnswerIdleP99Ms = result.answerMsP99;
  figures.idleRequests = result.requests;
}

if (await findPostgresServer()) {
  const rounds = Number(Deno.env.get("EV_BENCH_TAKEOVER_ROUNDS") ?? 3);
  say(`Central instance killed → its CPs served by another, ${rounds} rounds`);
  const takeovers = await measureTakeover(rounds, say);
  figures.takeoverOwnedMaxMs = Math.max(...takeovers.map((t) => t.ownedAllMs));
  figures.takeoverServedP50Ms = Math.round(percentile(takeovers.map((t) => t.servedMs), 50));
  figures.takeoverServedMaxMs = Math.max(...takeovers.map((t) => t.servedMs));
  figures.takeoverInterrupted = takeovers.reduce((n, t) => n + t.interrupted, 0);
} else say("no PostgreSQL server: the take-over of a killed instance is not measured");

const commit = new TextDecoder().decode(
  (await new Deno.Command("git", { args: ["rev-parse", "--short", "HEAD"], stdout: "piped" })
    .output()).stdout,
).trim();
const machine = {
  os: Deno.build.os,
  arch: Deno.build.arch,
  cpus: navigator.hardwareConcurrency,
  memoryGiB: Math.round(Deno.systemMemoryInfo().total / 2 ** 30),
  deno: Deno.version.deno,
};
const date = new Date().toISOString();
const out = new URL(
  `../../bench/results/${date.slice(0, 19).replaceAll(":", "")}-${commit}.json`,
  import.meta.url,
);
await Deno.writeTextFile(
  out,
  JSON.stringify({ date, commit, machine, rounds: ROUNDS, figures }, null, 2) + "\n",
);
console.log(
  `bench ${commit}: KO→faulted p99 ${figures.koKeyToFaultedP99Ms} ms | killed→faulted p99 ${figures.engineKilledToFaultedP99Ms} ms | ` +
    `restart→available p50 ${figures.engineRestartToAvailableP50Ms} ms | request→answer idle p50 ${figures.requestToAnswerIdleP50Ms} ms p99 ${figures.requestToAnswerIdleP99Ms} ms | ` +
    `instance killed → served max ${figures.takeoverServedMaxMs ?? "-"} ms ` +
    `(${out.pathname.split("/").pop()})`,
);
