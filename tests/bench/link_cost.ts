/**
 * What one request and its answer over a framed link cost in CPU: N links in this one process
 * (both ends), each asking once a second, staggered, as a fleet's Monitors do.
 *
 * `deno run -A tests/bench/link_cost.ts [links=1500] [seconds=15] [runtime|wheel]` prints the CPU
 * per round trip with the runtime's timers and with one timer wheel for every link.
 *
 * @module
 */
import { FramedLink } from "../../shared/protocol/link.ts";
import { TimerWheel } from "../../shared/timer_wheel.ts";

const links = Number(Deno.args[0] ?? 1500);
const seconds = Number(Deno.args[1] ?? 15);
const modes = Deno.args[2] ? [Deno.args[2]] : ["runtime", "wheel"];
if (!(links > 0) || !(seconds > 0) || modes.some((m) => m !== "runtime" && m !== "wheel")) {
  console.error("usage: link_cost.ts [links] [seconds] [runtime|wheel]");
  Deno.exit(2);
}

for (const mode of modes) {
  const wheel = new TimerWheel();
  const options = mode === "wheel" ? { scheduler: wheel } : {};
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const all: FramedLink[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      all.push(new FramedLink(conn, { ...options, onRequest: () => ({ ack: ["OK"] }) }));
    }
  })();
  const { port } = listener.addr as Deno.NetAddr;
  const clients: FramedLink[] = [];
  for (let i = 0; i < links; i++) {
    clients.push(new FramedLink(await Deno.connect({ hostname: "127.0.0.1", port }), options));
  }
  all.push(...clients);
  let answered = 0;
  const stops = clients.map((c) =>
    wheel.every(1000, () => c.request({ type: "CHECK" }).then(() => answered++, () => {}))
  );
  await new Promise((r) => setTimeout(r, 3000)); // every link in its phase
  const cpu0 = process.cpuUsage();
  const answered0 = answered;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const trips = answered - answered0;
  const elapsed = (performance.now() - t0) / 1000;
  console.log(
    `${mode}: ${links} links, ${(trips / elapsed).toFixed(0)} round trips/s, CPU ` +
      `${((100 * (cpu.user + cpu.system)) / 1e6 / elapsed).toFixed(1)} % of a core, ` +
      `${((cpu.user + cpu.system) / trips).toFixed(1)} µs per round trip`,
  );
  for (const stop of stops) stop();
  listener.close();
  for (const link of all) link.close();
  await Promise.all(all.map((l) => l.closed));
  await accepting.catch(() => {});
  wheel.close();
}
