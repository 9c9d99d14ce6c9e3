/**
 * The Engine's socket server for its Monitor: health checks (CHECK → OK/KO), operator orders
 * (STOP/RESUME) and whether Central is reachable (CENTRAL UP/DOWN). Any number of connections
 * may come; a bad one never disturbs the good ones.
 *
 * @module
 */
import { FramedLink } from "../../shared/protocol/link.ts";
import type { Request } from "../../shared/protocol/messages.ts";
import type { Engine } from "./engine.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";

const log = createLogger("engine");

/** A Monitor that stays silent this long is let go (it checks every second). */
const SILENCE_MS = 5_000;

/** Serves Monitors on `listener` until it is closed. */
export function serveMonitors(
  listener: Deno.Listener<Deno.TcpConn>,
  engine: Engine,
): { close(): Promise<void> } {
  const links = new Set<FramedLink>();
  const serve = (conn: Deno.TcpConn) => {
    const remote = `${conn.remoteAddr.hostname}:${conn.remoteAddr.port}`;
    let isMonitor = false;
    const link = new FramedLink(conn, {
      idleTimeoutMs: SILENCE_MS,
      onRequest: (msg) => handle(msg),
      onBadInput: (reason) => log.warn(`bad input from ${remote}: ${reason}`),
    });
    links.add(link);
    function handle(msg: Request) {
      if (!isMonitor) {
        isMonitor = true;
        engine.monitorConnected = true;
        engine.changed();
      }
      switch (msg.type) {
        case "CHECK":
          // health first; then what the CP says of itself, for its Monitor's registration
          return {
            ack: [
              engine.checkHealth,
              engine.options.location ?? "",
              engine.options.pricePerKwh?.toString() ?? "",
            ],
          };
        case "STOP":
          engine.stopOrder();
          return { ack: [] };
        case "RESUME":
          engine.resumeOrder();
          return { ack: [] };
        case "CENTRAL":
          engine.setCentralUp(msg.central === "UP");
          return { ack: [] };
        default:
          return { nack: `${msg.type} is not for an Engine` };
      }
    }
    link.closed.then(() => {
      links.delete(link);
      if (isMonitor && ![...links].length) {
        engine.monitorConnected = false;
        engine.setCentralUp(false);
        engine.changed();
      }
    });
  };
  (async () => {
    try {
      for await (const conn of listener) serve(conn);
    } catch (e) {
      if (!(e instanceof Deno.errors.BadResource)) {
        log.error(`socket server stopped: ${errorMessage(e)}`);
      }
    }
  })();
  return {
    close: async () => {
      try {
        listener.close();
      } catch {
        // closed already
      }
      for (const l of links) l.close();
      await Promise.all([...links].map((l) => l.closed));
    },
  };
}
