/**
 * The HTTP front: Central's public HTTP port. `Deno.serve` (Deno 2.9) has no header, idle or
 * write timeouts and no connection limits (a silent or trickling connection stays open for ever,
 * checked), so every connection is accepted here first, its requests followed by a scanner
 * (`relay.ts`), and its bytes relayed to the `Deno.serve` server behind on the loopback.
 *
 * What a connection gets:
 * - at most `maxPerAddress` from one address and `maxConnections` in all (past them: 503);
 * - each request head complete within `headerTimeoutMs` of its first byte (the first one within
 *   that time of the connection), at most `maxHeadBytes` (431), a body (declared, or chunked and
 *   counted as it comes) of at most `maxBodyBytes` (413), that body within `bodyTimeoutMs` (else
 *   408, or closed);
 * - closed when nothing moved either way for `idleTimeoutMs` (an event stream's keepalives move),
 *   or when the client does not take what is written to it for `writeTimeoutMs`.
 * A connection costs no connection behind it until its first head is complete. Each refusal is
 * told to `onLimit` (for a metric) and logged, at most a line a kind every 10 s.
 *
 * @module
 */
import { acceptForever, AddressCounts } from "../../shared/limits/connections.ts";
import { answerAndClose, Relay } from "./relay.ts";
import { hostOf } from "../../shared/limits/host_of.ts";
import { LimitLog } from "../../shared/limits/limit_log.ts";
import { createLogger } from "../../shared/log.ts";

const log = createLogger("http");

/** A limit the front enforced. */
export type HttpLimit =
  | "connections"
  | "connections-per-address"
  | "header-timeout"
  | "body-timeout"
  | "idle-timeout"
  | "write-stall"
  | "head-size"
  | "body-size"
  | "bad-request";

/** The front's limits. */
export interface HttpLimits {
  /** @default 10000 */
  headerTimeoutMs?: number;
  /** @default 30000 */
  bodyTimeoutMs?: number;
  /** @default 60000 */
  idleTimeoutMs?: number;
  /** @default 30000 */
  writeTimeoutMs?: number;
  /** @default 4096 */
  maxConnections?: number;
  /** @default 64 */
  maxPerAddress?: number;
  /** @default 16384 */
  maxHeadBytes?: number;
  /** @default 1048576 */
  maxBodyBytes?: number;
}

/** Options of {@link startHttpFront}. */
export interface HttpFrontOptions extends HttpLimits {
  hostname: string;
  port: number;
  /** The HTTP server behind (on the loopback). */
  upstream: { hostname: string; port: number };
  /** Told of each limit enforced, with the client's `host:port`. @default nothing */
  onLimit?: (limit: HttpLimit, remote: string) => void;
}

/** A running front. */
export interface HttpFront {
  /** Where it listens. */
  readonly addr: Deno.NetAddr;
  /** Client connections open now. */
  readonly connections: number;
  /** The client (`host:port`) behind a connection to the upstream from local port `port`. */
  remoteOf(port: number): string | undefined;
  /** Stops accepting and closes every connection. */
  close(): Promise<void>;
}

/**
 * Starts the front on `hostname:port`, relaying to `upstream`.
 *
 * @example
 * ```ts ignore
 * const behind = Deno.serve({ hostname: "127.0.0.1", port: 0 }, () => new Response("hi"));
 * const front = startHttpFront({ hostname: "0.0.0.0", port: 8080, upstream: behind.addr });
 * ```
 */
export function startHttpFront(options: HttpFrontOptions): HttpFront {
  const {
    hostname,
    port,
    upstream,
    onLimit = () => {},
    maxConnections = 4096,
    maxPerAddress = 64,
  } = options;
  const listener = Deno.listen({ hostname, port });
  const limitLog = new LimitLog(log);
  const relays = new Set<Relay>();
  const perAddress = new AddressCounts();
  const byUpstreamPort = new Map<number, string>();
  let closing = false;

  const limit = (kind: HttpLimit, remote: string, detail: string) => {
    limitLog.warn(kind, `${remote}: ${detail}`);
    onLimit(kind, remote);
  };

  const accept = (conn: Deno.TcpConn) => {
    const remote = `${conn.remoteAddr.hostname}:${conn.remoteAddr.port}`;
    const address = hostOf(remote);
    if (perAddress.of(address) >= maxPerAddress) {
      const why = `too many connections from ${address} (at most ${maxPerAddress})`;
      limit("connections-per-address", remote, `refused: ${why}`);
      return answerAndClose(conn, 503, why);
    }
    if (relays.size >= maxConnections) {
      const why = `too many connections (at most ${maxConnections})`;
      limit("connections", remote, `refused: ${why}`);
      return answerAndClose(conn, 503, why);
    }
    const closed = perAddress.opened(address);
    const relay = new Relay(conn, options, {
      upstream,
      limit: (kind, detail) => limit(kind, remote, detail),
      connected: (localPort) => byUpstreamPort.set(localPort, remote),
      released: (localPort) => byUpstreamPort.delete(localPort),
    });
    relays.add(relay);
    relay.done.then(() => {
      relays.delete(relay);
      closed();
    });
  };

  acceptForever(listener, accept, () => closing, (text) => limitLog.warn("accept", text));

  return {
    addr: listener.addr,
    get connections() {
      return relays.size;
    },
    remoteOf: (localPort) => byUpstreamPort.get(localPort),
    close: async () => {
      closing = true;
      try {
        listener.close();
      } catch {
        // closed already
      }
      const open = [...relays];
      for (const relay of open) relay.close();
      await Promise.all(open.map((r) => r.done));
    },
  };
}
