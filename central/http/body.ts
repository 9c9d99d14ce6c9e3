/**
 * Request bodies read with a limit: the size is checked as the bytes come (and first against a
 * declared Content-Length), so a body over the limit is refused having read at most the limit
 * and one chunk, never read whole.
 *
 * @module
 */

/** A body over the limit: answered 413 with a JSON error. */
export class BodyTooLargeError extends Error {
  /** The HTTP status it is answered with. */
  readonly status = 413;

  /** A body over `maxBytes`. */
  constructor(maxBytes: number) {
    super(`request body over ${maxBytes} bytes`);
    this.name = "BodyTooLargeError";
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The body of `request` as text, at most `maxBytes` of UTF-8.
 *
 * @throws {BodyTooLargeError} (as a rejection) when the body is, or says it is, over `maxBytes`.
 * @throws {TypeError} (as a rejection) when it is not UTF-8 or its stream fails.
 * @example
 * ```ts
 * import { readBody } from "./body.ts";
 * const text = await readBody(new Request("http://x/", { method: "POST", body: "{}" }), 1024);
 * console.log(text); // "{}"
 * ```
 */
export async function readBody(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await request.body?.cancel().catch(() => {});
    throw new BodyTooLargeError(maxBytes);
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new BodyTooLargeError(maxBytes);
      }
      parts.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.byteLength;
  }
  return strictUtf8.decode(bytes);
}
