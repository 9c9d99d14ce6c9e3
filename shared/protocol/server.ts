/**
 * A socket server of framed links: every accepted connection becomes a {@link FramedLink}, is
 * kept while it lives, and is closed with the server. Async all the way: a connection costs a
 * link and its timers, never a thread.
 *
 * Its limits: connections per remote address and in all (past them a connection gets one NACK
 * saying why and is closed), and each link's own limits ({@link FramedLinkOptions}). Each limit
 * reached is logged (at most a line per kind every 10 s, with a count) and told to `onLimit`, for
 * a metric. An accept that fails (no file descriptors left, say) is logged and tried again: the
 * server never stops accepting by itself.
 *
 * @module
 */
import { acceptForever, AddressCounts } from "../limits/connections.ts";
import { FramedLink, type FramedLinkOptions, type LinkLimit } from "./link.ts";
import { encodeFrame } from "./frame.ts";
import { encodeMessage } from "./messages.ts";
import { hostOf } from "../limits/host_of.ts";
import { createLogger } from "../log.ts";
import { LimitLog } from "../limits/limit_log.ts";
import { type Rate, RateLimit } from "../limits/rate_limit.ts";

const log = createLogger("socket");

/** A running server. */
export interface LinkServer {
  /** The links open now. */
  readonly links: ReadonlySet<FramedLink>;
  /** Stops accepting, closes every link, and waits until they are closed. */
  close(): Promise<void>;
}

/** How one connection is served: its link's options, and what to do once the link exists. */
export interface Connection extends FramedLinkOptions {
  accepted?(link: FramedLink): void;
}

/** A limit reached by a server or one of its links. */
export type ServerLimit =
  | LinkLimit
  | "connections-per-address"
  | "connections"
  | "misbehaving-address";

/** Options of {@link serveLinks}. */
export interface LinkServerOptions {
  /** Connections open at once from one address. @default Infinity */
  maxPerAddress?: number;
  /** Connections open at once in all. @default Infinity */
  maxLinks?: number;
  /**
   * Links of one address closed for misbehaviour (bad frames, a limit): past this rate, new
   * connections from that address are refused until it has calmed down. A well-behaved peer never
   * spends any, however many connections it opens. @default { burst: 20, perSecond: 1 }
   */
  misbehaviourPerAddress?: Rate;
  /** Told of each limit reached, with the remote `host:port` (for a metric). @default nothing */
  onLimit?: (limit: ServerLimit, remote: string) => void;
}

/** How long a refused connection may take to read its NACK before it is closed. */
const REFUSAL_MS = 1_000;
/** Pause after a failed accept (e.g. no file descriptors left) before the next one. */

/**
 * Serves `listener`: `connection(remote)` sets up each new connection (its handlers, and a
 * function told of its link).
 *
 * @example
 * ```ts ignore
 * const server = serveLinks(
 *   Deno.listen({ port: 7000 }),
 *   () => ({ onRequest: () => ({ ack: [] }) }),
 *   { maxPerAddress: 64, onLimit: (limit) => refusals.inc({ limit }) },
 * );
 * await server.close();
 * ```
 */
export function serveLinks(
  listener: Deno.Listener<Deno.TcpConn>,
  connection: (remote: string) => Connection,
  options: LinkServerOptions = {},
): LinkServer {
  const {
    maxPerAddress = Infinity,
    maxLinks = Infinity,
    misbehaviourPerAddress = { burst: 20, perSecond: 1 },
    onLimit = () => {},
  } = options;
  const misbehaviour = new RateLimit(misbehaviourPerAddress);
  const links = new Set<FramedLink>();
  const perAddress = new AddressCounts();
  const limits = new LimitLog(log);
  let closing = false;

  const limitReached = (limit: ServerLimit, remote: string, detail: string) => {
    limits.warn(limit, `${remote}: ${detail}`);
    onLimit(limit, remote);
  };

  const serve = (conn: Deno.TcpConn): "held back" | void => {
    const remote = `${conn.remoteAddr.hostname}:${conn.remoteAddr.port}`;
    const address = hostOf(remote);
    const calm = misbehaviour.waitMs(address);
    if (calm > 0) {
      const why = `too many misbehaving connections from ${address}: try again in ${
        Math.ceil(calm / 1000)
      } s`;
      limitReached("misbehaving-address", remote, `refused: ${why}`);
      closeQuietly(conn); // it was told why before: no more words, no more work
      return "held back";
    }
    if (perAddress.of(address) >= maxPerAddress) {
      const why = `too many connections from ${address} (at most ${maxPerAddress})`;
      limitReached("connections-per-address", remote, `refused: ${why}`);
      return refuse(conn, why);
    }
    if (links.size >= maxLinks) {
      const why = `too many connections (at most ${maxLinks})`;
      limitReached("connections", remote, `refused: ${why}`);
      return refuse(conn, why);
    }
    const served = connection(remote);
    const link = new FramedLink(conn, {
      ...served,
      onLimit: (limit, detail) => {
        limitReached(limit, remote, detail);
        served.onLimit?.(limit, detail);
      },
    });
    links.add(link);
    const closed = perAddress.opened(address);
    link.closed.then(() => {
      links.delete(link);
      if (link.misbehaved) misbehaviour.take(address);
      closed();
    });
    served.accepted?.(link);
  };

  acceptForever(
    listener,
    // an address held back for misbehaving may reconnect as fast as it can: its refusals are
    // paced, so that they cost little (good peers wait in the listen backlog a moment at most)
    (conn) => serve(conn) === "held back" ? new Promise((r) => setTimeout(r, 1)) : undefined,
    () => closing,
    (text) => limits.warn("accept", text),
  );
  return {
    links,
    close: async () => {
      closing = true;
      try {
        listener.close();
      } catch {
        // closed already
      }
      const open = [...links];
      for (const link of open) link.close();
      await Promise.all(open.map((l) => l.closed));
    },
  };
}

function closeQuietly(conn: Deno.TcpConn): void {
  try {
    conn.close();
  } catch {
    // gone already
  }
}

/** Tells a refused connection why (one NACK, if it reads it in time), then closes it. */
function refuse(conn: Deno.TcpConn, reason: string): void {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // gone already
    }
  };
  const timer = setTimeout(close, REFUSAL_MS);
  conn.write(encodeFrame(encodeMessage({ type: "NACK", seq: 0, reason }))).then(close, close);
}
