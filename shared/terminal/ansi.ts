/**
 * ANSI colours and the few escape sequences the panels use.
 *
 * @module
 */

const ESC = "\x1b[";

/** Colour names the panels use. */
export type Colour = "green" | "red" | "orange" | "grey" | "cyan" | "bold" | "dim" | "white";

const CODES: Record<Colour, string> = {
  green: "32",
  red: "31",
  orange: "38;5;208",
  grey: "90",
  cyan: "36",
  bold: "1",
  dim: "2",
  white: "97",
};

/** Colours only on a terminal, and never with NO_COLOR. */
const enabled = (() => {
  try {
    return !Deno.noColor && Deno.stdout.isTerminal();
  } catch {
    return false;
  }
})();

/** `text` in a colour (plain text when stdout is not a terminal or NO_COLOR is set). */
export function paint(colour: Colour, text: string): string {
  return enabled ? `${ESC}${CODES[colour]}m${text}${ESC}0m` : text;
}

/** `text` on a background colour (for state tiles). */
export function tile(colour: "green" | "red" | "orange" | "grey", text: string): string {
  if (!enabled) return text;
  const bg = { green: "42;30", red: "41;97", orange: "48;5;208;30", grey: "100;97" }[colour];
  return `${ESC}${bg}m${text}${ESC}0m`;
}

/** The visible length of a string that may hold escape sequences. */
export function visibleLength(text: string): number {
  return stripAnsi(text).length;
}

/** `text` without escape sequences. */
export function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

/** Pads (or cuts) text with escapes to a visible width. */
export function fit(text: string, width: number): string {
  const len = visibleLength(text);
  if (len <= width) return text + " ".repeat(width - len);
  return stripAnsi(text).slice(0, Math.max(0, width - 1)) + "…";
}

/** Escape sequences. */
export const CSI = {
  home: `${ESC}H`,
  clearLine: `${ESC}2K`,
  clearBelow: `${ESC}J`,
  hideCursor: `${ESC}?25l`,
  showCursor: `${ESC}?25h`,
  altScreen: `${ESC}?1049h`,
  mainScreen: `${ESC}?1049l`,
  moveTo: (row: number, col: number) => `${ESC}${row};${col}H`,
};
