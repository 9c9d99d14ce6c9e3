/**
 * What an idle TCP connection costs in RSS in Deno, and what its pending read adds, by the size of
 * the read's buffer: N connected pairs in this one process (both ends), then a read pending on
 * each end.
 *
 * `deno run -A tests/bench/conn_memory.ts [pairs=2000] [read-bytes=512]`
 *
 * @module
 */
const pairs = Number(Deno.args[0] ?? 2000);
const size = Number(Deno.args[1] ?? 512);
if (!(pairs > 0) || !(size > 0)) {
  console.error("usage: conn_memory.ts [pairs] [read-bytes]");
  Deno.exit(2);
}
const rssMb = () => Deno.memoryUsage().rss / 1e6;
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const { port } = listener.addr;
const accepted: Deno.Conn[] = [];
const accepting = (async () => {
  for await (const conn of listener) accepted.push(conn);
})();
const before = rssMb();
const dialled: Deno.Conn[] = [];
for (let i = 0; i < pairs; i++) dialled.push(await Deno.connect({ hostname: "127.0.0.1", port }));
while (accepted.length < pairs) await new Promise((r) => setTimeout(r, 10));
const connected = rssMb();
const all = [...accepted, ...dialled];
const reads = all.map((conn) => conn.read(new Uint8Array(size)).catch(() => null));
await new Promise((r) => setTimeout(r, 1000));
const reading = rssMb();
const perEnd = (mb: number) => `${((mb * 1000) / all.length).toFixed(1)} KB an end`;
console.log(
  `${pairs} pairs: connections +${(connected - before).toFixed(1)} MB (${
    perEnd(connected - before)
  }), a pending read of ${size} bytes +${(reading - connected).toFixed(1)} MB (${
    perEnd(reading - connected)
  })`,
);
listener.close();
for (const conn of all) conn.close();
await Promise.all(reads);
await accepting.catch(() => {});
