/**
 * Small helpers for JSON answers.
 *
 * @module
 */

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

/** The body as JSON, or undefined when it is not readable JSON. */
export async function readJson(request: Request, maxBytes = 64 * 1024): Promise<unknown> {
  try {
    const text = await request.text();
    if (text.length > maxBytes) return undefined;
    return text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    return undefined;
  }
}
