/**
 * The Engine's socket server for its Monitor: which CP they are (IDENT), health checks (CHECK →
 * OK/KO), operator orders (STOP/RESUME) and whether Central is reachable (CENTRAL UP/DOWN). Any
 * number of connections may come; a bad one never disturbs the good ones.
 *
 * An Engine started without an id serves its Monitor before the Engine itself exists: it answers
 * KO until the Monitor's IDENT has told it its id and the Engine is up.
 *
 * A Monitor silent for {@link SILENCE_MS} is let go, counting only the time this process was on
 * time: an Engine whose own loop was late (a busy fleet, a stopped process) does not take that for
 * its Monitor's silence, and so never closes a healthy link (its Monitor would report it KO).
 *
 * @module
 */
import { serveLinks } from "../../shared/protocol/server.ts";
import type { Answer } from "../../shared/protocol/link.ts";
import type { CentralStatus, Request } from "../../shared/protocol/messages.ts";
import type { Engine } from "./engine.ts";
import type { EngineIdentity } from "./identity.ts";
import { createLogger } from "../../shared/log.ts";
import { type Scheduler, timers } from "../../shared/scheduler.ts";
import type { LoopLag } from "../../shared/loop_lag.ts";

const log = createLogger("engine");

/** A Monitor that stays silent this long (on time) is let go (it checks every second). */
export const SILENCE_MS = 5_000;

/** What the server serves. */
export interface MonitorServerOptions {
  /** The Engine, once it exists (not yet while an Engine started without an id waits for it). */
  engine(): Engine | undefined;
  /** Which CP this Engine is (a Monitor's IDENT is checked against it, or teaches it). */
  identity: EngineIdentity;
  /** This process's lateness: silence is judged on time only (none: on the wall clock). */
  lag?: LoopLag;
  /** Where the silence watchdog runs. @default timers */
  scheduler?: Scheduler;
}

/** Serves Monitors on `listener` until it is closed. */
export function serveMonitors(
  listener: Deno.Listener<Deno.TcpConn>,
  options: MonitorServerOptions,
): { close(): Promise<void> } {
  let monitors = 0;
  return serveLinks(listener, (remote) => {
    let attached: Engine | undefined;
    let central: CentralStatus | undefined;
    let heard = performance.now();
    // The first request that finds the Engine up counts this Monitor in and tells it about Central.
    const attach = (): Engine | undefined => {
      const engine = options.engine();
      if (!engine || attached) return attached;
      attached = engine;
      monitors++;
      engine.monitorConnected = true;
      if (central) engine.setCentralUp(central === "UP");
      engine.changed();
      return engine;
    };
    const handle = (msg: Request): Answer => {
      heard = performance.now();
      if (msg.type === "IDENT") {
        const answer = options.identity.offer(msg.cpId);
        if ("nack" in answer) log.warn(`Monitor at ${remote} refused: ${answer.nack}`);
        return answer;
      }
      if (msg.type === "CENTRAL") central = msg.central;
      const engine = attach();
      switch (msg.type) {
        case "CHECK":
          // health first; then what the CP says of itself, for its Monitor's registration
          return {
            ack: engine
              ? [
                engine.checkHealth,
                engine.options.location ?? "",
                engine.options.pricePerKwh?.toString() ?? "",
              ]
              : ["KO", "", ""],
          };
        case "STOP":
        case "RESUME":
          if (!engine) return { nack: "engine starting: its CP id is not known yet" };
          if (msg.type === "STOP") engine.stopOrder();
          else engine.resumeOrder();
          return { ack: [] };
        case "CENTRAL":
          engine?.setCentralUp(msg.central === "UP");
          return { ack: [] };
        default:
          return { nack: `${msg.type} is not for an Engine` };
      }
    };
    const silent = () => (options.lag?.onTimeMs(heard) ?? performance.now() - heard) >= SILENCE_MS;
    const lag = options.lag;
    const scheduler = options.scheduler ?? timers;
    return {
      onRequest: handle,
      scheduler,
      onBadInput: (reason) => log.warn(`bad input from ${remote}: ${reason}`),
      ...(lag ? { quietSince: (since: number) => lag.onTimeMs(since) } : {}),
      accepted: (link) => {
        const stopWatching = scheduler.every(1_000, () => {
          if (!silent()) return;
          log.warn(`Monitor at ${remote} silent for ${SILENCE_MS} ms: let go`);
          link.close();
        });
        link.closed.then(() => {
          stopWatching();
          const engine = attached;
          if (!engine || --monitors > 0) return;
          engine.monitorConnected = false;
          engine.setCentralUp(false);
          engine.changed();
        });
      },
    };
  });
}
