/**
 * The driver's interactive mode: a panel of the network's CPs and the driver's events; typing a
 * CP id (or `REQUEST <cp>`) asks for a charge there. Without a terminal, the same from stdin.
 *
 * @module
 */
import type { Driver } from "./driver.ts";
import { startConsole } from "../shared/terminal/console.ts";
import { paint, tile } from "../shared/terminal/ansi.ts";
import { setLogSink } from "../shared/log.ts";
import { describe, type DriverEvent, fixed } from "./output.ts";
import { type CpView, STATE_COLOURS } from "../shared/cp_view.ts";
import { shown } from "../shared/foreign_text.ts";

/** Runs until QUIT, Ctrl+C or SIGTERM; returns the exit code. */
export async function runInteractive(
  driver: Driver,
  o: { panel: boolean; stopped: Promise<string> },
): Promise<number> {
  const events: string[] = [];
  const emit = driver.o.emit;
  let busy = false;
  const console = startConsole({
    panel: o.panel,
    render: (width) => renderDriver(driver, events, width),
    hint: `EV_Driver ${driver.o.id}`,
    onCommand: (line) => {
      const words = line.trim().split(/\s+/);
      const cp = /^request$/i.test(words[0]) ? words[1] : words[0];
      if (!cp) return;
      if (busy) {
        return driver.o.emit({ type: "error", cp, message: "a request is in progress already" });
      }
      busy = true;
      driver.request(cp).finally(() => (busy = false));
    },
  });
  if (console.panel) {
    // events go to the panel instead of stdout
    driver.o.emit = (e: DriverEvent) => {
      events.push(`${new Date().toISOString().slice(11, 19)} ${describe(e)}`);
      if (events.length > 50) events.shift();
      console.redraw();
    };
    setLogSink((line) => {
      events.push(paint("dim", line.replace(/^\S+T(\d\d:\d\d:\d\d)\.\d+Z /, "$1 ")));
      console.redraw();
    });
  }
  driver.onChange(() => console.redraw());
  await Promise.race([console.stopped, o.stopped]);
  console.close();
  driver.o.emit = emit;
  return 0;
}

/** What the panel shows of a driver. */
export type DriverShown = Pick<Driver, "centralReachable" | "cps"> & { o: { id: string } };

/**
 * The panel's lines: the network (each CP's id, state, price and location, all shown escaped, so
 * a forged view can neither break the panel nor drive the terminal), then the driver's events.
 */
export function renderDriver(driver: DriverShown, events: string[], width: number): string[] {
  const out = [paint("bold", `EV DRIVER ${driver.o.id}`), "=".repeat(Math.min(width, 60))];
  out.push(
    `central: ${
      driver.centralReachable ? paint("green", "reachable") : paint("orange", "cannot be reached")
    }`,
    "",
  );
  out.push(paint("bold", "NETWORK"));
  if (driver.cps.length === 0) out.push(paint("dim", "  no CP known yet"));
  for (const cp of driver.cps as Partial<CpView>[]) {
    const known = typeof cp?.state === "string" && Object.hasOwn(STATE_COLOURS, cp.state);
    const colour = known ? STATE_COLOURS[cp.state!] : "grey";
    const state = tile(colour, ` ${shown(cp?.state, 12).padEnd(12)} `);
    out.push(
      `  ${shown(cp?.id, 64).padEnd(10)} ${state} ${fixed(cp?.pricePerKwh, 2)} €/kWh  ${
        shown(cp?.location)
      }`,
    );
  }
  out.push("", paint("bold", "EVENTS"), ...events.slice(-10), "");
  out.push(paint("dim", "type a CP id to request a charge there | QUIT"));
  return out;
}
