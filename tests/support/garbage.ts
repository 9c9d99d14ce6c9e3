/**
 * Bad input at a socket server: random bytes, frames with random bodies, a megabyte after STX,
 * a frame with a wrong checksum, and floods of bare STX/ETX, one connection each.
 *
 * @module
 */

/** A seeded PRNG (mulberry32), so a failure can be replayed. */
export function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The bad payload number `i`. */
export function garbage(i: number, random: () => number): Uint8Array {
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
  const text = (s: string) => new TextEncoder().encode(s);
  switch (i % 5) {
    case 0:
      return bytes(1 + Math.floor(random() * 2048));
    case 1:
      return Uint8Array.from([2, ...bytes(1 + Math.floor(random() * 200)), 3, ...bytes(1)]);
    case 2:
      return Uint8Array.from([2, ...new Uint8Array(1_000_000).fill(65)]);
    case 3:
      return text("\x02REGISTER#CP1#x#y\x03\x00");
    default:
      return text("\x03\x02\x02\x03".repeat(1000));
  }
}

/** What the server did with the bad input. */
export interface GarbageReport {
  sent: number;
  /** The server answered something (a NACK). */
  answered: number;
  /** The server closed the connection. */
  closed: number;
}

/** Sends `count` bad payloads at `port`, each on its own connection. */
export async function sendGarbage(port: number, count: number, seed = 7): Promise<GarbageReport> {
  const random = prng(seed);
  const report: GarbageReport = { sent: 0, answered: 0, closed: 0 };
  for (let i = 0; i < count; i++) {
    const payload = garbage(i, random);
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({ hostname: "127.0.0.1", port });
    } catch {
      continue;
    }
    try {
      await conn.write(payload).catch(() => {});
      report.sent++;
      const buf = new Uint8Array(4096);
      const n = await Promise.race([
        conn.read(buf).catch(() => null),
        new Promise<"quiet">((r) => setTimeout(() => r("quiet"), 200)),
      ]);
      if (n === null) report.closed++;
      else if (typeof n === "number" && n > 0) report.answered++;
    } finally {
      try {
        conn.close();
      } catch {
        // closed by the server
      }
    }
  }
  return report;
}
