/**
 * Follows the requests a client sends on one HTTP/1.1 connection, byte by byte, without holding
 * more than one request head: where each head starts and ends, and where its body ends (of a
 * Content-Length, or chunked: its chunks are counted). It lets the HTTP front time each head and
 * refuse a head or a body that is too big, a chunked one as soon as its chunks pass the limit. An
 * upgrade makes the rest of the connection opaque (the HTTP server behind deals with it; the front
 * then only keeps its idle and write limits).
 *
 * @module
 */

/** What the bytes pushed completed, in order. */
export type ScanEvent =
  /** The first byte of a request head. */
  | { kind: "started" }
  /** A whole head: its method and the body bytes that follow (0 for none). */
  | { kind: "head"; method: string; body: number }
  /** The end of a request (its head and body). */
  | { kind: "end" }
  /** A request that must be refused with `status` (nothing after it is read). */
  | { kind: "refuse"; status: 400 | 413 | 431 | 505; reason: string };

/** Where the scanner is. */
export type ScanState = "idle" | "head" | "body" | "chunked" | "opaque" | "refused";

/** Options of {@link RequestScanner}. */
export interface RequestScannerOptions {
  /** Bytes a request head may have (request line and headers). @default 16384 */
  maxHeadBytes?: number;
  /** Bytes a body may declare (Content-Length). @default 1048576 */
  maxBodyBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const decoder = new TextDecoder();
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The requests on one connection, as {@link ScanEvent}s.
 *
 * @example
 * ```ts
 * import { RequestScanner } from "./request_scanner.ts";
 * const scanner = new RequestScanner();
 * const events = scanner.push(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
 * console.log(events.map((e) => e.kind)); // ["started", "head", "end"]
 * ```
 */
export class RequestScanner {
  readonly #maxHead: number;
  readonly #maxBody: number;
  #state: ScanState = "idle";
  #head = new Uint8Array(512);
  #headLength = 0;
  /** Bytes of the current line, carriage returns aside. */
  #line = 0;
  #bodyLeft = 0;
  /** In a chunked body: where, the size line read so far, and the body bytes so far. */
  #chunk: { part: "size" | "data" | "crlf" | "trailer"; line: string; seen: number } = {
    part: "size",
    line: "",
    seen: 0,
  };

  /** A scanner with these limits. */
  constructor(options: RequestScannerOptions = {}) {
    const { maxHeadBytes = 16_384, maxBodyBytes = 1_048_576 } = options;
    this.#maxHead = maxHeadBytes;
    this.#maxBody = maxBodyBytes;
  }

  /** Where it is now. */
  get state(): ScanState {
    return this.#state;
  }

  /** Feeds the next bytes from the client. */
  push(chunk: Uint8Array): ScanEvent[] {
    const out: ScanEvent[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      switch (this.#state) {
        case "opaque":
        case "refused":
          return out;
        case "body": {
          const take = Math.min(this.#bodyLeft, chunk.length - i);
          this.#bodyLeft -= take;
          i += take - 1;
          if (this.#bodyLeft === 0) this.#end(out);
          break;
        }
        case "chunked":
          i = this.#chunked(chunk, i, out);
          break;
        case "idle":
          if (byte === CR || byte === LF) break; // empty lines before a request are allowed
          this.#state = "head";
          this.#headLength = 0;
          this.#line = 0;
          out.push({ kind: "started" });
          this.#headByte(byte, out); // the head's first byte
          break;
        case "head":
          this.#headByte(byte, out);
      }
    }
    return out;
  }

  #headByte(byte: number, out: ScanEvent[]): void {
    if (this.#headLength >= this.#maxHead) {
      return this.#refuse(out, 431, `request head over ${this.#maxHead} bytes`);
    }
    if (this.#headLength === this.#head.length) {
      const bigger = new Uint8Array(Math.min(this.#head.length * 2, this.#maxHead));
      bigger.set(this.#head);
      this.#head = bigger;
    }
    this.#head[this.#headLength++] = byte;
    if (byte === CR) return;
    if (byte !== LF) {
      this.#line++;
      return;
    }
    if (this.#line > 0) {
      this.#line = 0;
      return;
    }
    this.#parseHead(out);
  }

  #parseHead(out: ScanEvent[]): void {
    const lines = decoder.decode(this.#head.subarray(0, this.#headLength)).split(/\r?\n/);
    const [method, target, version, extra] = lines[0].split(" ");
    if (!TOKEN.test(method ?? "") || !target || extra !== undefined || !version) {
      return this.#refuse(out, 400, "bad request line");
    }
    if (version === "HTTP/2.0") {
      return this.#refuse(out, 505, "HTTP/2 without TLS is not served: use HTTP/1.1");
    }
    if (!/^HTTP\/1\.[01]$/.test(version)) return this.#refuse(out, 400, "bad HTTP version");
    const lengths = new Set<string>();
    let opaque = false;
    let chunked = false;
    for (const line of lines.slice(1)) {
      if (line === "") continue;
      const colon = line.indexOf(":");
      if (colon <= 0) return this.#refuse(out, 400, "bad header line");
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "content-length") lengths.add(value);
      if (name === "transfer-encoding") {
        if (!/(^|,)\s*chunked\s*$/i.test(value)) {
          return this.#refuse(out, 400, "a request body's last transfer coding must be chunked");
        }
        chunked = true;
      }
      if (name === "upgrade") opaque = true;
    }
    if (method === "CONNECT") opaque = true;
    if (chunked && lengths.size > 0) {
      return this.#refuse(out, 400, "both Content-Length and Transfer-Encoding");
    }
    if (lengths.size > 1) return this.#refuse(out, 400, "conflicting Content-Length headers");
    const [length = "0"] = lengths;
    if (!/^\d{1,15}$/.test(length)) return this.#refuse(out, 400, "bad Content-Length");
    const body = Number(length);
    if (body > this.#maxBody) {
      return this.#refuse(out, 413, `request body of ${body} bytes: the limit is ${this.#maxBody}`);
    }
    out.push({ kind: "head", method, body });
    if (this.#head.length > 4096) this.#head = new Uint8Array(512); // hold no big head for long
    if (opaque) this.#state = "opaque";
    else if (chunked) {
      this.#state = "chunked";
      this.#chunk = { part: "size", line: "", seen: 0 };
    } else if (body > 0) {
      this.#state = "body";
      this.#bodyLeft = body;
    } else this.#end(out);
  }

  /** Reads a chunked body from `chunk[i]` on; returns the index of the last byte it used. */
  #chunked(chunk: Uint8Array, i: number, out: ScanEvent[]): number {
    const c = this.#chunk;
    for (; i < chunk.length; i++) {
      const byte = chunk[i];
      if (c.part === "data") {
        const take = Math.min(this.#bodyLeft, chunk.length - i);
        this.#bodyLeft -= take;
        i += take - 1;
        if (this.#bodyLeft === 0) c.part = "crlf";
        continue;
      }
      if (byte !== LF) {
        if (byte !== CR) c.line += String.fromCharCode(byte);
        if (c.line.length > 1024) {
          this.#refuse(out, 400, "chunk line too long");
          return chunk.length;
        }
        continue;
      }
      const line = c.line;
      c.line = "";
      if (c.part === "crlf") {
        if (line !== "") return this.#badChunk(out, chunk);
        c.part = "size";
      } else if (c.part === "size") {
        const size = /^([0-9a-fA-F]{1,8})(;.*)?$/.exec(line);
        if (!size) return this.#badChunk(out, chunk);
        const n = parseInt(size[1], 16);
        c.seen += n;
        if (c.seen > this.#maxBody) {
          this.#refuse(out, 413, `request body over ${this.#maxBody} bytes`);
          return chunk.length;
        }
        if (n === 0) c.part = "trailer";
        else {
          c.part = "data";
          this.#bodyLeft = n;
        }
      } else if (line === "") {
        this.#end(out); // the empty line after the trailers
        return i;
      }
    }
    return i;
  }

  #badChunk(out: ScanEvent[], chunk: Uint8Array): number {
    this.#refuse(out, 400, "bad chunked body");
    return chunk.length;
  }

  #end(out: ScanEvent[]): void {
    this.#state = "idle";
    out.push({ kind: "end" });
  }

  #refuse(out: ScanEvent[], status: 400 | 413 | 431 | 505, reason: string): void {
    this.#state = "refused";
    out.push({ kind: "refuse", status, reason });
  }
}
