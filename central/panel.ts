/**
 * Central's terminal panel (BRIEF §2): the title, a tile per CP in its state colour, the
 * on-going drivers requests and the application messages.
 *
 * @module
 */
import type { CpView } from "../shared/cp_view.ts";
import type { Views } from "./shell/views.ts";
import { fit, paint, tile } from "../shared/terminal/ansi.ts";
import { STATE_COLOURS } from "../shared/cp_view.ts";
import { shown } from "../shared/foreign_text.ts";

const TITLE = "SD EV CHARGING SOLUTION. MONITORIZATION PANEL";
const TILE_WIDTH = 24;
/** The lines of one CP's tile (4 lines of {@link TILE_WIDTH}). */
export function tileLines(cp: CpView): string[] {
  const colour = STATE_COLOURS[cp.state];
  const pad = (s: string) => fit(` ${s}`, TILE_WIDTH);
  const lines = [
    pad(`${shown(cp.id, 64)}  ${cp.pricePerKwh.toFixed(2)}€/kWh`),
    pad(shown(cp.location) || "-"),
  ];
  if (cp.state === "charging") {
    lines.push(pad(`${shown(cp.driverId, 64)} ${cp.kw?.toFixed(1)} kW`));
    lines.push(pad(`${cp.kwh?.toFixed(2)} kWh ${cp.eur?.toFixed(2)} €`));
  } else if (cp.state === "reserved") {
    lines.push(pad(`reserved: ${shown(cp.driverId, 64)}`), pad(""));
  } else if (cp.state === "stopped") {
    lines.push(pad("Out of Order"), pad(""));
  } else {
    lines.push(pad(cp.state.toUpperCase()), pad(""));
  }
  return lines.map((l) => tile(colour, l));
}

/** The whole panel for a terminal of `width`×`rows`: the sections always fit, tiles take the rest. */
export function renderCentral(
  views: Views,
  width: number,
  rows: number,
  logTail: string[],
  late = "",
): string[] {
  const cps = views.list();
  const live = cps.filter((cp) => cp.driverId);
  const requests = [paint("bold", "ON-GOING DRIVERS REQUESTS")];
  for (const cp of live.slice(0, 5)) {
    const since = new Date(cp.since ?? cp.updatedAt).toISOString();
    requests.push(
      `  ${since.slice(0, 10)}  ${since.slice(11, 19)}  ${shown(cp.driverId, 64)}  ${
        shown(cp.id, 64)
      }  ${cp.state}`,
    );
  }
  if (live.length === 0) requests.push(paint("dim", "  none"));
  if (live.length > 5) requests.push(paint("dim", `  … and ${live.length - 5} more`));
  const messages = [paint("bold", "APPLICATION MESSAGES")];
  for (const m of views.messages().slice(-6)) {
    const colour = m.level === "info" ? "white" : m.level === "warn" ? "orange" : "red";
    messages.push(paint(colour, `  ${m.at.slice(11, 19)}  ${shown(m.text, 300)}`));
  }
  if (messages.length === 1) messages.push(paint("dim", "  none"));
  const footer = [
    ...(logTail.length > 0 ? ["", ...logTail.slice(-3)] : []),
    paint("dim", "STOP <cp> | RESUME <cp> | STOP ALL | RESUME ALL | QUIT"),
  ];

  // Central says when it is late (its own backlog, not the CPs')
  const out = [paint("bold", fit(`  ${TITLE}`, width)), late ? paint("orange", `  ${late}`) : ""];
  const room = rows - out.length - requests.length - messages.length - footer.length - 2;
  const perRow = Math.max(1, Math.floor((width + 1) / (TILE_WIDTH + 1)));
  const tileRows = Math.max(1, Math.floor(room / 5));
  const visible = cps.slice(0, tileRows * perRow);
  for (let i = 0; i < visible.length; i += perRow) {
    const row = visible.slice(i, i + perRow).map(tileLines);
    for (let line = 0; line < 4; line++) out.push(row.map((t) => t[line]).join(" "));
    out.push("");
  }
  if (visible.length < cps.length) {
    out.pop();
    out.push(
      paint(
        "dim",
        `  … and ${cps.length - visible.length} more CPs (the dashboard shows them all)`,
      ),
    );
  }
  if (cps.length === 0) {
    out.push(paint("dim", "  no CP enrolled yet (deno task central -- enroll <id>)"), "");
  }
  return [...out, ...requests, "", ...messages, ...footer];
}
