/**
 * Small helpers for JSON answers.
 *
 * @module
 */
import { BodyTooLargeError, readBody } from "./body.ts";

/** A JSON answer. */
export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** A JSON error answer: `{"error": message}`. */
export function jsonError(status: number, message: string): Response {
  return json({ error: message }, status);
}

/**
 * The body as JSON (an empty body is `{}`), or undefined when it is not readable JSON.
 *
 * @throws {BodyTooLargeError} (as a rejection) when it is over `maxBytes`: checked while reading.
 */
export async function readJson(request: Request, maxBytes = 64 * 1024): Promise<unknown> {
  let text: string;
  try {
    text = await readBody(request, maxBytes);
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw e;
    return undefined;
  }
  try {
    return text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    return undefined;
  }
}
