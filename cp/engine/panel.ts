/**
 * The Engine's terminal panel: its health, the supply in progress, and its commands.
 *
 * @module
 */
import type { Engine } from "./engine.ts";
import { paint, tile } from "../../shared/terminal/ansi.ts";
import { escapeControls } from "../../shared/foreign_text.ts";
import type { LoopLag } from "../../shared/loop_lag.ts";

/** The Engine's panel lines (with its process's lateness, when `lag` says it is notable). */
export function renderEngine(
  engine: Engine,
  width: number,
  logTail: string[],
  lag?: LoopLag,
): string[] {
  const o = engine.options;
  const health = engine.health === "OK" ? tile("green", " OK ") : tile("red", " KO ");
  const out = [
    paint("bold", `EV CHARGING POINT ENGINE  ${o.id}`),
    "=".repeat(Math.min(width, 60)),
    `  health      ${health}${engine.stopped ? "  " + tile("orange", " Out of Order ") : ""}`,
    `  monitor     ${
      engine.monitorConnected ? paint("green", "connected") : paint("grey", "not connected")
    }`,
    `  central     ${
      engine.centralUp ? paint("green", "reachable") : paint("orange", "cannot be reached")
    }`,
    `  kafka       ${
      engine.kafkaReady ? paint("green", "connected") : paint("orange", "connecting…")
    }`,
    `  max power   ${o.maxKw} kW`,
    "",
  ];
  const late = lag?.describe();
  if (late) out.splice(out.length - 1, 0, `  ${paint("orange", `this Engine is late: ${late}`)}`);
  const s = engine.supply;
  if (!s) out.push("  supply      none");
  else if (s.phase === "authorized") {
    out.push(
      `  supply      ${paint("cyan", `authorized for ${s.driverId}`)} — plug the car in (I)`,
    );
  } else {
    out.push(`  supply      ${paint("green", `charging ${s.driverId}`)}`);
    out.push(
      `              ${s.kw.toFixed(1)} kW   ${s.kwh.toFixed(3)} kWh   ${s.eur.toFixed(2)} €`,
    );
  }
  const last = engine.lastEnd;
  if (last) {
    out.push(
      `  last ticket ${last.driverId}: ${last.kwh.toFixed(3)} kWh ${
        last.eur.toFixed(2)
      } € (${last.reason}${last.partial ? ", partial" : ""})`,
    );
  }
  out.push(
    "",
    paint("bold", "EVENTS"),
    ...engine.notes.slice(-8).map((n) => `  ${escapeControls(n)}`),
  );
  out.push("", ...logTail.slice(-3));
  out.push(paint("dim", "F fail | R recover | I plug in | E unplug | REQUEST <driver>"));
  return out;
}
