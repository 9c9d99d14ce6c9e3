/**
 * The Engine's socket server for its Monitor: health checks (CHECK → OK/KO), operator orders
 * (STOP/RESUME) and whether Central is reachable (CENTRAL UP/DOWN). Any number of connections
 * may come; a bad one never disturbs the good ones.
 *
 * @module
 */
import { serveLinks } from "../../shared/protocol/server.ts";
import type { Request } from "../../shared/protocol/messages.ts";
import type { Engine } from "./engine.ts";
import { createLogger } from "../../shared/log.ts";

const log = createLogger("engine");

/** A Monitor that stays silent this long is let go (it checks every second). */
const SILENCE_MS = 5_000;

/** Serves Monitors on `listener` until it is closed. */
export function serveMonitors(
  listener: Deno.Listener<Deno.TcpConn>,
  engine: Engine,
): { close(): Promise<void> } {
  let monitors = 0;
  return serveLinks(listener, (remote) => {
    let isMonitor = false;
    const handle = (msg: Request) => {
      if (!isMonitor) {
        isMonitor = true;
        monitors++;
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
    };
    return {
      idleTimeoutMs: SILENCE_MS,
      onRequest: handle,
      onBadInput: (reason) => log.warn(`bad input from ${remote}: ${reason}`),
      accepted: (link) =>
        link.closed.then(() => {
          if (!isMonitor || --monitors > 0) return;
          engine.monitorConnected = false;
          engine.setCentralUp(false);
          engine.changed();
        }),
    };
  });
}
