/**
 * The Monitor's terminal panel: its CP, the Engine's health and the link to Central.
 *
 * @module
 */
import type { Monitor } from "./monitor.ts";
import { paint, tile } from "../../shared/terminal/ansi.ts";
import { escapeControls, shown } from "../../shared/foreign_text.ts";

/** The Monitor's panel lines. */
export function renderMonitor(m: Monitor, width: number, logTail: string[]): string[] {
  const o = m.options;
  const engine = !m.engineReachable
    ? tile("red", " UNREACHABLE ")
    : m.engineHealth === "OK"
    ? tile("green", " OK ")
    : tile("red", " KO ");
  const central = {
    connected: paint("green", `registered (CP ${shown(m.cpState, 20) || "?"})`),
    connecting: paint("grey", "connecting…"),
    refused: paint("red", `refused: ${shown(m.refusal)}`),
    unreachable: paint("orange", "cannot be reached — retrying"),
  }[m.central];
  const late = m.lag.describe();
  return [
    paint("bold", `EV CHARGING POINT MONITOR  ${o.id}`),
    "=".repeat(Math.min(width, 60)),
    `  engine   ${o.engine.hostname}:${o.engine.port}  ${engine}`,
    `  central  ${m.centralAt}  ${central}`,
    ...(late ? [`  ${paint("orange", `this Monitor is late: ${late}`)}`] : []),
    "",
    paint("bold", "EVENTS"),
    ...m.notes.slice(-10).map((n) => `  ${escapeControls(n)}`),
    "",
    ...logTail.slice(-3),
    paint("dim", "QUIT to stop"),
  ];
}
