/**
 * What Central costs with N CPs registered, at rest or all charging: its CPU and RSS over 20 s,
 * 40 s after the fleet started (a fresh Central on the PostgreSQL server, the real simulator).
 *
 * `deno run -A tests/bench/central_cost.ts [cps=2000] [idle|charging] [cpu-profile-dir]`
 *
 * @module
 */
import { startNetwork } from "../support/network.ts";
import { ProcWindow } from "./proc.ts";

const cps = Number(Deno.args[0] ?? 2000);
const mode = Deno.args[1] ?? "idle";
const profileDir = Deno.args[2];
if (!(cps > 0) || (mode !== "idle" && mode !== "charging")) {
  console.error("usage: central_cost.ts [cps] [idle|charging] [cpu-profile-dir]");
  Deno.exit(2);
}

await using net = await startNetwork({
  postgres: true,
  denoFlags: profileDir ? { central: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] } : {},
});
const sim = await net.run("sim", [
  ...["--cps", String(cps), "--every", "10", "--prefix", "C"],
  ...(mode === "charging" ? ["--charge", "86400"] : ["--drivers", "0"]),
  ...["--api", `http://127.0.0.1:${net.httpPort}`, "--central", `127.0.0.1:${net.cpPort}`],
]);
try {
  await sim.waitForLine(/CPs started/, 300_000);
  await new Promise((r) => setTimeout(r, 40_000));
  const window = new ProcWindow({ central: [net.central.pid] });
  await new Promise((r) => setTimeout(r, 20_000));
  const { byName, machineBusyPct, machineStealPct } = window.end();
  console.log(
    `${cps} CPs ${mode}: Central CPU ${byName.central.cpuPct} % of a core, RSS ` +
      `${byName.central.rssMeanMb} MB | machine ${machineBusyPct} % busy (${machineStealPct} % stolen)`,
  );
  console.log(sim.lines.filter((l) => /^sim: \d+ s/.test(l)).at(-1)?.slice(0, 240) ?? "");
} finally {
  await sim.stop();
}
