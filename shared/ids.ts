/**
 * What a CP id and a driver id may be: 1-64 letters, digits, `.`, `_` or `-`. Checked at every
 * edge (socket, topics, HTTP, command line) so that a bad id never reaches the core.
 *
 * @module
 */

/** The shape of an id. */
export const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** Whether `value` is a valid CP or driver id. */
export function isValidId(value: unknown): value is string {
  return typeof value === "string" && ID_PATTERN.test(value);
}

/** Why `value` is not a valid id (for error messages), or undefined when it is. */
export function idProblem(value: unknown, what: string): string | undefined {
  if (typeof value !== "string" || value === "") return `${what} is missing`;
  if (!ID_PATTERN.test(value)) {
    return `${what} '${value.slice(0, 80)}' must be 1-64 letters, digits, '.', '_' or '-'`;
  }
  return undefined;
}
