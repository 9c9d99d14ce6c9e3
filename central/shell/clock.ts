/**
 * Time for the core: a tick four times a second (deadlines and silences are data in the core's
 * state; the tick lets them fall due), and a sweep of the tickets left unsent (stored, but a
 * crash or a broker outage came before they were published), which never overlaps itself.
 *
 * @module
 */
import type { Shell } from "./shell.ts";
import type { SessionRepo } from "../db/session_repo.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";

const log = createLogger("central");

/** Time between two ticks. */
export const TICK_MS = 250;
/** Time between two sweeps of unsent tickets. */
export const SWEEP_MS = 30_000;

/** The running clock. */
export interface Clock {
  /** Sweeps the unsent tickets now (unless a sweep is on its way). */
  sweep(): void;
  close(): void;
}

/** Starts ticking. */
export function startClock(o: {
  shell: Shell;
  sessions: Pick<SessionRepo, "unsentTickets">;
  /** Up to when telemetry is known complete. */
  telemetryAt(): number;
}): Clock {
  let ticking = false;
  const tick = setInterval(() => {
    if (ticking) return; // a tick still at work (database away): the next one will do
    ticking = true;
    o.shell.dispatch({ type: "tick", telemetryAt: o.telemetryAt() })
      .catch((e) => log.error(`tick: ${errorMessage(e)}`))
      .finally(() => (ticking = false));
  }, TICK_MS);

  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      const owned = [...o.shell.state.cps.values()].filter((cp) => cp.owned).map((cp) => cp.id);
      const tickets = await o.sessions.unsentTickets(owned);
      if (tickets.length > 0) {
        log.info(`sending ${tickets.length} tickets stored but not sent yet`);
        await o.shell.dispatch({ type: "unsentTickets", tickets });
      }
    } catch (e) {
      log.warn(`unsent tickets: ${errorMessage(e)} (tried again later)`);
    } finally {
      sweeping = false;
    }
  };
  const sweeps = setInterval(sweep, SWEEP_MS);
  return {
    sweep: () => void sweep(),
    close: () => {
      clearInterval(tick);
      clearInterval(sweeps);
    },
  };
}
