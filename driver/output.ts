/**
 * What a driver shows: one line per event for people, or one JSON object per line with `--json`
 * (`{"type", "at", "driver", "cp", ...}`: a contract, BRIEF §1).
 *
 * @module
 */
import { paint } from "../shared/terminal/ansi.ts";
import type { CpView } from "../shared/cp_view.ts";
import { shown } from "../shared/foreign_text.ts";

/** A driver event (the `--json` contract). */
export type DriverEvent =
  | { type: "sent"; cp: string; requestId: string }
  | { type: "authorized"; cp: string; sessionId: string; pricePerKwh: number; resumed?: boolean }
  | { type: "denied"; cp: string; reason: string }
  | { type: "progress"; cp: string; sessionId: string; kw: number; kwh: number; eur: number }
  | {
    type: "ticket";
    cp: string;
    sessionId: string;
    kwh: number;
    eur: number;
    start: string;
    end: string;
    partial?: boolean;
    reason?: string;
    resent?: boolean;
  }
  | { type: "network"; cp?: string; cps: CpView[] }
  | { type: "error"; cp?: string; message: string };

/** Writes driver events. */
export type Emit = (e: DriverEvent) => void;

const encoder = new TextEncoder();

function write(line: string): void {
  Deno.stdout.writeSync(encoder.encode(line + "\n"));
}

/** JSON lines on stdout. */
export function jsonOutput(driver: string): Emit {
  return (e) => {
    const { type, ...rest } = e;
    write(JSON.stringify({ type, at: new Date().toISOString(), driver, cp: null, ...rest }));
  };
}

/** Human lines on stdout. */
export function textOutput(driver: string): Emit {
  return (e) => {
    const time = new Date().toISOString().slice(11, 19);
    write(`${paint("dim", time)} ${driver} ${describe(e)}`);
  };
}

/**
 * One line for people. Everything in it that came over the network is shown escaped and cut
 * ({@link shown}): no CP id, reason or figure can drive the terminal or break the line.
 */
export function describe(e: DriverEvent): string {
  const cp = shown(e.cp, 64);
  switch (e.type) {
    case "sent":
      return `→ ${cp}: supply requested`;
    case "authorized":
      return paint(
        "green",
        `✔ ${cp}: authorized at ${money(e.pricePerKwh)} €/kWh${
          e.resumed ? " (supply in progress)" : " — plug the car in"
        }`,
      );
    case "denied":
      return paint("red", `✘ ${cp}: denied — ${shown(e.reason)}`);
    case "progress":
      return `⚡ ${cp}: ${fixed(e.kw, 1)} kW  ${fixed(e.kwh, 3)} kWh  ${money(e.eur)} €`;
    case "ticket":
      return paint(
        "bold",
        `🧾 ${cp}: ticket ${fixed(e.kwh, 3)} kWh, ${money(e.eur)} € (${
          shown(e.start).slice(11, 19)
        }–${shown(e.end).slice(11, 19)})` +
          `${e.partial ? ` partial: ${shown(e.reason)}` : ""}${
            e.resent ? " [an earlier supply]" : ""
          }`,
      );
    case "network":
      return `network: ${
        e.cps.map((c) => `${shown(c?.id, 64)}=${shown(c?.state, 20)}`).join(" ") || "no CPs"
      }`;
    case "error":
      return paint("orange", `! ${e.cp ? `${cp}: ` : ""}${shown(e.message, 500)}`);
  }
}

/** A figure with `digits` decimals ("?" for anything but a finite number). */
export function fixed(value: unknown, digits: number): string {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : "?";
}

/** Euros with cents. */
function money(value: unknown): string {
  return fixed(value, 2);
}
