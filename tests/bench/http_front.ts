/**
 * The HTTP front's cost: the same handler served by `Deno.serve` directly and behind the front,
 * request → answer latency (sequential, keep-alive) and throughput (50 clients at once), plus
 * the memory 2,000 silent connections take. Prints one JSON line.
 *
 * `deno run -A tests/bench/http_front.ts`
 */
import { startHttpServer } from "../../central/http/server.ts";

const handler = () => Response.json({ ok: true, cps: 3 });

async function measure(port: number): Promise<{ p50: number; p99: number; perSecond: number }> {
  const url = `http://127.0.0.1:${port}/healthz`;
  for (let i = 0; i < 200; i++) await (await fetch(url)).arrayBuffer(); // warm up
  const times: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const start = performance.now();
    await (await fetch(url)).arrayBuffer();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const start = performance.now();
  await Promise.all(Array.from({ length: 50 }, async () => {
    for (let i = 0; i < 200; i++) await (await fetch(url)).arrayBuffer();
  }));
  const perSecond = 10_000 / ((performance.now() - start) / 1000);
  const ms = (q: number) => Math.round(times[Math.floor(q * (times.length - 1))] * 1000) / 1000;
  return { p50: ms(0.5), p99: ms(0.99), perSecond: Math.round(perSecond) };
}

function rssMb(): number {
  return Math.round(Deno.memoryUsage().rss / 1e5) / 10;
}

const direct = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
const directFigures = await measure(direct.addr.port);
await direct.shutdown();

const front = startHttpServer({ hostname: "127.0.0.1", port: 0, maxPerAddress: 5000 }, handler);
const frontFigures = await measure(front.addr.port);
const before = rssMb();
const silent = await Promise.all(
  Array.from(
    { length: 2000 },
    () => Deno.connect({ hostname: "127.0.0.1", port: front.addr.port }),
  ),
);
await new Promise((r) => setTimeout(r, 500));
const withSilent = rssMb();
for (const c of silent) c.close();
await front.shutdown();

console.log(JSON.stringify({
  bench: "http_front",
  at: new Date().toISOString(),
  direct: directFigures,
  front: frontFigures,
  p50Ratio: Math.round((frontFigures.p50 / directFigures.p50) * 100) / 100,
  throughputRatio: Math.round((frontFigures.perSecond / directFigures.perSecond) * 100) / 100,
  silentConnections: 2000,
  rssMbBefore: before,
  rssMbWithSilent: withSilent,
}));
