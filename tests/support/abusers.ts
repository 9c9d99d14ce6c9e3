/**
 * Clients that abuse a server, for flood tests (loopback only, bounded in number and time): socket
 * peers that pipeline frames and never read, HTTP connections that stay silent or trickle their
 * headers, event-stream clients that never read. Each keeps count of how the server let it go, and
 * each is closed by `close()` (call it in `finally`).
 *
 * Many come from addresses of their own on the loopback (127.0.0.x, with `node:net`'s
 * `localAddress`), as they would from many machines: limits per address then do not refuse them
 * all at once, and the test's own requests (from 127.0.0.1) are not counted with theirs.
 *
 * @module
 */
import net from "node:net";
import { encodeFrame } from "../../shared/protocol/frame.ts";

/** Connections the server closed, and those still open. */
export interface AbuseCount {
  opened: number;
  closedByServer: number;
  open: number;
}

/** A group of abusing clients. */
export interface Abusers {
  readonly count: AbuseCount;
  /** Stops them all. */
  close(): Promise<void>;
}

/**
 * `connections` socket peers, each pipelining HEALTH frames (batches of 1,000) and never reading,
 * connecting again when let go, until `close()`.
 */
export function pipeliningPeers(port: number, connections: number): Abusers {
  const count: AbuseCount = { opened: 0, closedByServer: 0, open: 0 };
  const batch = new Uint8Array(
    Array.from({ length: 1000 }, (_, i) => [...encodeFrame(`HEALTH#${i + 1}#OK`)]).flat(),
  );
  let stopped = false;
  const conns = new Set<Deno.TcpConn>();
  const peer = async () => {
    while (!stopped) {
      let conn: Deno.TcpConn;
      try {
        conn = await Deno.connect({ hostname: "127.0.0.1", port });
      } catch {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      conns.add(conn);
      count.opened++;
      count.open++;
      try {
        while (!stopped) await conn.write(batch);
      } catch {
        if (!stopped) count.closedByServer++;
      }
      count.open--;
      conns.delete(conn);
      try {
        conn.close();
      } catch {
        // closed already
      }
    }
  };
  const running = Array.from({ length: connections }, peer);
  return {
    count,
    close: async () => {
      stopped = true;
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // closed already
        }
      }
      await Promise.all(running);
    },
  };
}

/** Options of {@link slowHttp}. */
export interface SlowHttpOptions {
  /** The loopback addresses they come from. */
  addresses: string[];
  /** Connections from each address. */
  perAddress: number;
  /** What each sends: nothing, a head a byte a second, or an event-stream request it never reads. */
  kind: "silent" | "trickle" | "sse";
}

/** HTTP clients on `port` that never finish a request, or never read their event stream. */
export async function slowHttp(port: number, o: SlowHttpOptions): Promise<Abusers> {
  const count: AbuseCount = { opened: 0, closedByServer: 0, open: 0 };
  const sockets = new Set<net.Socket>();
  const timers = new Set<ReturnType<typeof setInterval>>();
  let stopped = false;
  const head = "GET /api/cps HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  const one = (localAddress: string) =>
    new Promise<void>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port, localAddress });
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("connect", () => {
        count.opened++;
        count.open++;
        if (o.kind !== "sse") socket.resume(); // reads what it is answered (and its end)
        if (o.kind === "sse") {
          socket.pause(); // never reads
          socket.write("GET /api/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");
        }
        if (o.kind === "trickle") {
          let i = 0;
          const timer = setInterval(() => socket.write(head[i++ % head.length]), 1_000);
          timers.add(timer);
          socket.on("close", () => clearInterval(timer));
        }
        resolve();
      });
      socket.on("close", () => {
        if (count.open > 0 && !stopped) count.closedByServer++;
        count.open = Math.max(0, count.open - 1);
        resolve();
      });
    });
  // in waves of 100, as a real flood arrives: a burst past the listen backlog would leave
  // connections the client thinks open and the server never accepted
  const all = o.addresses.flatMap((address) => Array(o.perAddress).fill(address) as string[]);
  for (let i = 0; i < all.length; i += 100) {
    await Promise.all(all.slice(i, i + 100).map(one));
  }
  return {
    count,
    close: async () => {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      const closing = [...sockets].map((s) =>
        new Promise<void>((resolve) => {
          if (s.destroyed) return resolve();
          s.once("close", () => resolve());
          s.destroy();
        })
      );
      await Promise.all(closing);
    },
  };
}

/** `127.0.0.<first>` … `127.0.0.<first + n - 1>`. */
export function loopbackAddresses(first: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.0.${first + i}`);
}

/** Central's resident memory now, in MB (from /proc). */
export function rssMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? "0");
  return Math.round(kb / 102.4) / 10;
}
