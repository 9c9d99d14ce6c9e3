/**
 * What a driver shows: one line per event for people, or one JSON object per line with `--json`
 * (`{"type", "at", "driver", "cp", ...}`: a contract, BRIEF §1).
 *
 * @module
 */
import { paint } from "../shared/terminal/ansi.ts";
import type { CpView } from "../shared/cp_view.ts";

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

/** One line for people. */
export function describe(e: DriverEvent): string {
  switch (e.type) {
    case "sent":
      return `→ ${e.cp}: supply requested`;
    case "authorized":
      return paint(
        "green",
        `✔ ${e.cp}: authorized at ${e.pricePerKwh.toFixed(2)} €/kWh${
          e.resumed ? " (supply in progress)" : " — plug the car in"
        }`,
      );
    case "denied":
      return paint("red", `✘ ${e.cp}: denied — ${e.reason}`);
    case "progress":
      return `⚡ ${e.cp}: ${e.kw.toFixed(1)} kW  ${e.kwh.toFixed(3)} kWh  ${e.eur.toFixed(2)} €`;
    case "ticket":
      return paint(
        "bold",
        `🧾 ${e.cp}: ticket ${e.kwh.toFixed(3)} kWh, ${e.eur.toFixed(2)} € (${
          e.start.slice(11, 19)
        }–${e.end.slice(11, 19)})` +
          `${e.partial ? ` partial: ${e.reason}` : ""}${e.resent ? " [an earlier supply]" : ""}`,
      );
    case "network":
      return `network: ${e.cps.map((c) => `${c.id}=${c.state}`).join(" ") || "no CPs"}`;
    case "error":
      return paint("orange", `! ${e.cp ? `${e.cp}: ` : ""}${e.message}`);
  }
}
