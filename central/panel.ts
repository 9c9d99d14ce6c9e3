/**
 * Central's terminal panel (BRIEF §2): the title, a tile per CP in its state colour, the
 * on-going drivers requests and the application messages.
 *
 * @module
 */
import { type CpView, viewOf } from "./core/cp.ts";
import type { Network } from "./network.ts";
import { fit, paint, tile } from "../shared/terminal/ansi.ts";

const TITLE = "SD EV CHARGING SOLUTION. MONITORIZATION PANEL";
const TILE_WIDTH = 24;
const COLOURS = {
  available: "green",
  reserved: "green",
  charging: "green",
  stopped: "orange",
  faulted: "red",
  disconnected: "grey",
} as const;

/** The lines of one CP's tile (4 lines of {@link TILE_WIDTH}). */
export function tileLines(cp: CpView): string[] {
  const colour = COLOURS[cp.state];
  const pad = (s: string) => fit(` ${s}`, TILE_WIDTH);
  const lines = [
    pad(`${cp.id}  ${cp.pricePerKwh.toFixed(2)}€/kWh`),
    pad(cp.location || "-"),
  ];
  if (cp.state === "charging") {
    lines.push(pad(`${cp.driverId} ${cp.kw?.toFixed(1)} kW`));
    lines.push(pad(`${cp.kwh?.toFixed(2)} kWh ${cp.eur?.toFixed(2)} €`));
  } else if (cp.state === "reserved") {
    lines.push(pad(`reserved: ${cp.driverId}`), pad(""));
  } else if (cp.state === "stopped") {
    lines.push(pad("Out of Order"), pad(""));
  } else {
    lines.push(pad(cp.state.toUpperCase()), pad(""));
  }
  return lines.map((l) => tile(colour, l));
}

/** The whole panel for a terminal of `width` columns. */
export function renderCentral(network: Network, width: number, logTail: string[]): string[] {
  const out = [paint("bold", fit(`  ${TITLE}`, width)), ""];
  const cps = network.list().map(viewOf);
  const perRow = Math.max(1, Math.floor((width + 1) / (TILE_WIDTH + 1)));
  for (let i = 0; i < cps.length; i += perRow) {
    const row = cps.slice(i, i + perRow).map(tileLines);
    for (let line = 0; line < 4; line++) out.push(row.map((t) => t[line]).join(" "));
    out.push("");
  }
  if (cps.length === 0) {
    out.push(paint("dim", "  no CP enrolled yet (deno task central -- enroll <id>)"), "");
  }
  out.push(paint("bold", "ON-GOING DRIVERS REQUESTS"));
  const live = cps.filter((cp) => cp.driverId);
  if (live.length === 0) out.push(paint("dim", "  none"));
  for (const cp of live) {
    const since = new Date(cp.since ?? cp.updatedAt);
    out.push(
      `  ${since.toISOString().slice(0, 10)}  ${
        since.toISOString().slice(11, 19)
      }  ${cp.driverId}  ${cp.id}  ${cp.state}`,
    );
  }
  out.push("", paint("bold", "APPLICATION MESSAGES"));
  const messages = network.messages().slice(-6);
  if (messages.length === 0) out.push(paint("dim", "  none"));
  for (const m of messages) {
    const colour = m.level === "info" ? "white" : m.level === "warn" ? "orange" : "red";
    out.push(paint(colour, `  ${m.at.slice(11, 19)}  ${m.text}`));
  }
  if (logTail.length > 0) out.push("", ...logTail.slice(-3));
  out.push(paint("dim", "STOP <cp> | RESUME <cp> | STOP ALL | RESUME ALL | QUIT"));
  return out;
}
