/**
 * Frames on a TCP byte stream: `<STX><DATA><ETX><LRC>`.
 *
 * DATA is UTF-8 text of at most {@link MAX_DATA_BYTES} bytes that never contains STX or ETX; LRC is
 * one byte, the XOR of every DATA byte and of the ETX byte. {@link FrameDecoder} turns whatever
 * the stream delivers (several frames in one read, one frame over many reads, noise) back into
 * frames, holding at most one DATA in memory.
 *
 * @module
 */

/** Start of a frame (STX). */
export const STX = 0x02;

/** End of a frame's DATA (ETX); the LRC byte follows it. */
export const ETX = 0x03;

/** The largest DATA a frame may carry, in bytes. */
export const MAX_DATA_BYTES = 4096;

/** Why some bytes on the stream were not a frame. */
export type FrameError = "checksum" | "oversize" | "garbage" | "truncated" | "encoding";

/** A sentence for each {@link FrameError}, for logs and NACK reasons. */
export const FRAME_ERRORS: Readonly<Record<FrameError, string>> = {
  checksum: "bad checksum (LRC)",
  oversize: `frame over ${MAX_DATA_BYTES} bytes`,
  garbage: "bytes outside a frame",
  truncated: "frame cut short",
  encoding: "frame is not valid UTF-8",
};

/** One result of decoding: a frame's DATA, or why some bytes were not a frame. */
export type Decoded = { ok: true; data: string } | { ok: false; error: FrameError };

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Frames `data` for the wire.
 *
 * @throws {RangeError} when `data` contains STX or ETX, or is over {@link MAX_DATA_BYTES}.
 * @example
 * ```ts
 * import { encodeFrame } from "./frame.ts";
 * console.log(encodeFrame("STOP#1")); // Uint8Array [2, 83, 84, 79, 80, 35, 49, 3, 26]
 * ```
 */
export function encodeFrame(data: string): Uint8Array {
  if (data.includes("\x02") || data.includes("\x03")) {
    throw new RangeError("Cannot encode a frame as 'data' contains STX or ETX");
  }
  const bytes = utf8.encode(data);
  if (bytes.length > MAX_DATA_BYTES) {
    throw new RangeError(
      `Cannot encode a frame as 'data' is ${bytes.length} bytes: the limit is ${MAX_DATA_BYTES}`,
    );
  }
  const frame = new Uint8Array(bytes.length + 3);
  frame[0] = STX;
  frame.set(bytes, 1);
  frame[bytes.length + 1] = ETX;
  frame[bytes.length + 2] = bytes.reduce((lrc, byte) => lrc ^ byte, ETX);
  return frame;
}

/**
 * Reads frames from a byte stream fed in chunks of any size.
 *
 * Bytes outside a frame give one `"garbage"` per run, told when the run ends (at the next STX, or
 * at {@link FrameDecoder.end}). An STX inside a frame ends it as `"truncated"` and starts a new
 * one. DATA over the limit gives one `"oversize"` at once, then is skipped up to its ETX and LRC
 * (or a new STX). An LRC byte that is wrong and is an STX starts a new frame, so a frame that
 * lost its LRC does not take the next frame with it.
 *
 * @example
 * ```ts
 * import { encodeFrame, FrameDecoder } from "./frame.ts";
 * const decoder = new FrameDecoder();
 * const bytes = encodeFrame("CHECK#7");
 * console.log(decoder.push(bytes.subarray(0, 3))); // []
 * console.log(decoder.push(bytes.subarray(3))); // [{ ok: true, data: "CHECK#7" }]
 * ```
 */
export class FrameDecoder {
  #state: "outside" | "data" | "lrc" = "outside";
  /** Outside a frame: whether bytes came since the last frame. */
  #garbage = false;
  /** In a frame: DATA bytes seen so far, stopping at MAX_DATA_BYTES + 1 (oversize). */
  #length = 0;
  /** In a frame: XOR of ETX and the DATA bytes seen so far. */
  #lrc = ETX;
  /** Grows as needed, up to MAX_DATA_BYTES. */
  #buffer = new Uint8Array(256);

  /** Bytes of a partial frame held now: never more than {@link MAX_DATA_BYTES}. */
  get buffered(): number {
    return this.#state === "outside" ? 0 : Math.min(this.#length, MAX_DATA_BYTES);
  }

  /** Feeds the next bytes of the stream; returns what they completed, in stream order. */
  push(chunk: Uint8Array): Decoded[] {
    const out: Decoded[] = [];
    for (const byte of chunk) {
      switch (this.#state) {
        case "outside":
          if (byte === STX) {
            if (this.#garbage) out.push(fail("garbage"));
            this.#begin();
          } else this.#garbage = true;
          break;
        case "data":
          if (byte === STX) {
            if (this.#length <= MAX_DATA_BYTES) out.push(fail("truncated"));
            this.#begin();
          } else if (byte === ETX) this.#state = "lrc";
          else {
            this.#lrc ^= byte;
            if (this.#length < MAX_DATA_BYTES) this.#store(byte);
            else if (this.#length === MAX_DATA_BYTES) {
              out.push(fail("oversize"));
              this.#length++;
            }
          }
          break;
        case "lrc": {
          const good = byte === this.#lrc;
          if (this.#length <= MAX_DATA_BYTES) out.push(good ? this.#text() : fail("checksum"));
          if (!good && byte === STX) this.#begin();
          else this.#state = "outside";
        }
      }
    }
    return out;
  }

  /** Ends the stream: tells a partial frame (`"truncated"`) or a last run of garbage. */
  end(): Decoded[] {
    const out: Decoded[] = [];
    if (this.#state === "outside" && this.#garbage) out.push(fail("garbage"));
    if (this.#state !== "outside" && this.#length <= MAX_DATA_BYTES) out.push(fail("truncated"));
    this.#state = "outside";
    this.#garbage = false;
    return out;
  }

  #begin(): void {
    this.#state = "data";
    this.#garbage = false;
    this.#length = 0;
    this.#lrc = ETX;
  }

  #store(byte: number): void {
    if (this.#length === this.#buffer.length) {
      const bigger = new Uint8Array(Math.min(this.#buffer.length * 2, MAX_DATA_BYTES));
      bigger.set(this.#buffer);
      this.#buffer = bigger;
    }
    this.#buffer[this.#length++] = byte;
  }

  #text(): Decoded {
    try {
      return { ok: true, data: strictUtf8.decode(this.#buffer.subarray(0, this.#length)) };
    } catch {
      return fail("encoding");
    }
  }
}

function fail(error: FrameError): Decoded {
  return { ok: false, error };
}
