/**
 * A frame's DATA as fields: `OPCODE#field1#...#fieldN`.
 *
 * A field may hold any text: `%` is written `%25`, `#` is written `%23` and each control
 * character U+0000 to U+001F is written `%XX` (so STX and ETX never appear in DATA). These are
 * the only escapes: every text has exactly one written form, and any other `%` is refused.
 *
 * @module
 */
import { ProtocolError, quote } from "./errors.ts";

// deno-lint-ignore no-control-regex -- control characters are exactly what is escaped
const NEEDS_ESCAPE = /[%#\x00-\x1f]/g;
// deno-lint-ignore no-control-regex -- a raw control character is never in a written field
const CONTROL = /[\x00-\x1f]/;
const ESCAPE = /%(.{0,2})/gs;
const VALID_ESCAPE = /^(?:2[35]|[01][0-9A-F])$/;
const OPCODE = /^[A-Z]+$/;

/**
 * Writes an opcode and its fields as DATA, escaping each field.
 *
 * @throws {TypeError} when `opcode` is not capital letters A-Z.
 * @example
 * ```ts
 * import { joinFields } from "./fields.ts";
 * console.log(joinFields("AUTH", ["1", "CP#1", "100%"])); // "AUTH#1#CP%231#100%25"
 * ```
 */
export function joinFields(opcode: string, fields: readonly string[]): string {
  if (!OPCODE.test(opcode)) {
    throw new TypeError(
      `Cannot join fields as 'opcode' must be capital letters A-Z: current value is ${
        quote(opcode)
      }`,
    );
  }
  return [opcode, ...fields.map(escapeField)].join("#");
}

/**
 * Reads DATA back into its opcode and unescaped fields.
 *
 * @throws {ProtocolError} (reason `"escape"`) on a bad escape or a raw control character.
 * @example
 * ```ts
 * import { splitFields } from "./fields.ts";
 * console.log(splitFields("AUTH#1#CP%231")); // { opcode: "AUTH", fields: ["1", "CP#1"] }
 * ```
 */
export function splitFields(data: string): { opcode: string; fields: string[] } {
  const [opcode, ...fields] = data.split("#");
  return { opcode, fields: fields.map(unescapeField) };
}

function escapeField(text: string): string {
  return text.replace(
    NEEDS_ESCAPE,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}

function unescapeField(text: string): string {
  if (CONTROL.test(text)) throw new ProtocolError("escape", "raw control character in a field");
  return text.replace(ESCAPE, (escape, digits: string) => {
    if (!VALID_ESCAPE.test(digits)) {
      throw new ProtocolError("escape", `bad escape ${quote(escape)}`);
    }
    return String.fromCharCode(parseInt(digits, 16));
  });
}
