/**
 * A socket server of framed links: every accepted connection becomes a {@link FramedLink}, is
 * kept while it lives, and is closed with the server. Async all the way: a connection costs a
 * link and its timers, never a thread.
 *
 * @module
 */
import { FramedLink, type FramedLinkOptions } from "./link.ts";
import { createLogger, errorMessage } from "../log.ts";

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

/**
 * Serves `listener`: `connection(remote)` sets up each new connection (its handlers, and a
 * function told of its link).
 *
 * @example
 * ```ts ignore
 * const server = serveLinks(Deno.listen({ port: 7000 }), () => ({ onRequest: () => ({ ack: [] }) }));
 * await server.close();
 * ```
 */
export function serveLinks(
  listener: Deno.Listener<Deno.TcpConn>,
  connection: (remote: string) => Connection,
): LinkServer {
  const links = new Set<FramedLink>();
  (async () => {
    try {
      for await (const conn of listener) {
        const remote = `${conn.remoteAddr.hostname}:${conn.remoteAddr.port}`;
        const served = connection(remote);
        const link = new FramedLink(conn, served);
        links.add(link);
        link.closed.then(() => links.delete(link));
        served.accepted?.(link);
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.BadResource)) {
        log.error(`socket server stopped: ${errorMessage(e)}`);
      }
    }
  })();
  return {
    links,
    close: async () => {
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
