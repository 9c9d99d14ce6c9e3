/**
 * Text that came from elsewhere (a CP's location, a reason, an id read off the network), made
 * safe to show on a terminal or in a log line: every control character is written as an escape,
 * so that no foreign text can move the cursor, clear a screen, recolour a panel, forge a log line
 * or reverse the text around it.
 *
 * Control characters here are C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F), the line and
 * paragraph separators and the bidirectional embeddings, overrides and isolates.
 *
 * @module
 */

// deno-lint-ignore no-control-regex -- control characters are exactly what this finds
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// deno-lint-ignore no-control-regex -- the same set, tested without the global flag
const ANY_CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * Whether `text` holds a control character (see the module's list).
 *
 * @example
 * ```ts
 * import { hasControls } from "./foreign_text.ts";
 * console.log(hasControls("Alicante\x1b[2J")); // true
 * ```
 */
export function hasControls(text: string): boolean {
  return ANY_CONTROL.test(text);
}

/**
 * `text` with each control character written as `\n`, `\r`, `\t`, `\xHH` or `\uHHHH`.
 *
 * @example
 * ```ts
 * import { escapeControls } from "./foreign_text.ts";
 * console.log(escapeControls("CP1\x1b[31m")); // "CP1\x1b[31m" with the ESC as 4 visible characters
 * ```
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (char) => {
    const code = char.charCodeAt(0);
    return NAMED[char] ??
      (code < 0x100 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`);
  });
}

/**
 * Any foreign value as text for people: strings escaped ({@link escapeControls}) and cut to
 * `maxLength` characters (the last one an ellipsis when cut); numbers and booleans as written;
 * nothing as empty; anything else as `[object]`, so a forged record can never break a display.
 *
 * @example
 * ```ts
 * import { shown } from "./foreign_text.ts";
 * console.log(shown("a very long location", 8)); // "a very …"
 * ```
 */
export function shown(value: unknown, maxLength = 200): string {
  const text = typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "boolean"
    ? String(value)
    : value === undefined || value === null
    ? ""
    : "[object]";
  const cut = text.length > maxLength ? `${text.slice(0, Math.max(0, maxLength - 1))}…` : text;
  return escapeControls(cut);
}

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, "0");
}
