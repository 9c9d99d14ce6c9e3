/**
 * One connection through the HTTP front (`front.ts`): its requests followed with a
 * {@link RequestScanner} against the front's limits, its bytes relayed both ways to the server
 * behind once its first head is complete, and closed on a limit, on silence or on a stalled write.
 *
 * @module
 */
import { RequestScanner } from "./request_scanner.ts";
import type { HttpLimit, HttpLimits } from "./front.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";

const log = createLogger("http");

const READ_BYTES = 8 * 1024;
const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  413: "Content Too Large",
  431: "Request Header Fields Too Large",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};
const encoder = new TextEncoder();

/** What a relay tells the front, and where it relays to. */
export interface RelayHooks {
  upstream: { hostname: string; port: number };
  limit(kind: HttpLimit, detail: string): void;
  connected(localPort: number): void;
  released(localPort: number): void;
}

/** One client connection and, once its first head is complete, its connection behind. */
export class Relay {
  readonly done: Promise<void>;
  readonly #client: Deno.TcpConn;
  readonly #hooks: RelayHooks;
  readonly #scanner: RequestScanner;
  readonly #headerTimeoutMs: number;
  readonly #bodyTimeoutMs: number;
  readonly #idleTimeoutMs: number;
  readonly #writeTimeoutMs: number;
  #upstream: Deno.TcpConn | undefined;
  #upstreamPort = 0;
  /** The client's bytes of the first head, until a connection behind is open. */
  #pending: Uint8Array[] = [];
  /** A whole head came: the connection behind is worth opening. */
  #headSeen = false;
  #closed = false;
  /** Response bytes were written since the current request started. */
  #answered = false;
  #lastActivity = performance.now();
  #lastAnswer = 0;
  #requestTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(client: Deno.TcpConn, limits: HttpLimits, hooks: RelayHooks) {
    const {
      headerTimeoutMs = 10_000,
      bodyTimeoutMs = 30_000,
      idleTimeoutMs = 60_000,
      writeTimeoutMs = 30_000,
      maxHeadBytes,
      maxBodyBytes,
    } = limits;
    this.#client = client;
    this.#hooks = hooks;
    this.#scanner = new RequestScanner({ maxHeadBytes, maxBodyBytes });
    this.#headerTimeoutMs = headerTimeoutMs;
    this.#bodyTimeoutMs = bodyTimeoutMs;
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#writeTimeoutMs = writeTimeoutMs;
    this.#startTimer("header-timeout", headerTimeoutMs, "no complete request head");
    this.#watchIdle();
    this.done = this.#fromClient();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#requestTimer);
    clearTimeout(this.#idleTimer);
    for (const conn of [this.#client, this.#upstream]) {
      try {
        conn?.close();
      } catch {
        // closed already
      }
    }
    if (this.#upstream) this.#hooks.released(this.#upstreamPort);
  }

  async #fromClient(): Promise<void> {
    const buffer = new Uint8Array(READ_BYTES);
    let toUpstream: Promise<void> | undefined;
    try {
      while (!this.#closed) {
        const n = await this.#client.read(buffer);
        if (n === null) {
          // the client will send no more: the answer may still come (a half-closed connection)
          if (!this.#upstream) return;
          await this.#upstream.closeWrite().catch(() => {});
          return await toUpstream;
        }
        this.#lastActivity = performance.now();
        const chunk = buffer.subarray(0, n);
        const refusal = this.#scan(chunk);
        if (refusal) return await this.#refuse(refusal.status, refusal.reason, refusal.kind);
        if (!this.#upstream) {
          if (!this.#headSeen) {
            // the first head is not complete yet: nothing to forward, no connection behind yet
            this.#pending.push(chunk.slice());
            continue;
          }
          await this.#connectUpstream();
          toUpstream = this.#fromUpstream();
          for (const part of this.#pending) await writeAll(this.#upstream!, part);
          this.#pending = [];
        }
        await writeAll(this.#upstream!, chunk);
      }
    } catch (e) {
      if (!this.#closed) log.debug(`connection ended: ${errorMessage(e)}`);
    } finally {
      this.close();
    }
  }

  #scan(chunk: Uint8Array): { status: number; reason: string; kind: HttpLimit } | undefined {
    for (const event of this.#scanner.push(chunk)) {
      switch (event.kind) {
        case "started":
          this.#answered = false;
          this.#startTimer("header-timeout", this.#headerTimeoutMs, "no complete request head");
          break;
        case "head":
          this.#headSeen = true;
          clearTimeout(this.#requestTimer);
          if (event.body > 0 || this.#scanner.state === "chunked") {
            this.#startTimer("body-timeout", this.#bodyTimeoutMs, "request body not complete");
          }
          break;
        case "end":
          clearTimeout(this.#requestTimer);
          break;
        case "refuse": {
          const kind = event.status === 413
            ? "body-size"
            : event.status === 431
            ? "head-size"
            : "bad-request";
          return { status: event.status, reason: event.reason, kind };
        }
      }
    }
    return undefined;
  }

  async #connectUpstream(): Promise<void> {
    const conn = await Deno.connect(this.#hooks.upstream);
    this.#upstream = conn;
    this.#upstreamPort = conn.localAddr.port;
    this.#hooks.connected(this.#upstreamPort);
    if (this.#closed) conn.close();
  }

  async #fromUpstream(): Promise<void> {
    const buffer = new Uint8Array(READ_BYTES);
    try {
      while (!this.#closed) {
        const n = await this.#upstream!.read(buffer);
        if (n === null) break;
        this.#lastActivity = this.#lastAnswer = performance.now();
        this.#answered = true;
        await this.#toClient(buffer.subarray(0, n));
      }
    } catch (e) {
      if (!this.#closed) log.debug(`answer ended: ${errorMessage(e)}`);
    }
    this.close();
  }

  /** Writes to the client; one that does not take the bytes in time is let go. */
  async #toClient(bytes: Uint8Array): Promise<void> {
    const stalled = setTimeout(() => {
      this.#hooks.limit(
        "write-stall",
        `closed: took nothing of the answer for ${this.#writeTimeoutMs} ms`,
      );
      this.close();
    }, this.#writeTimeoutMs);
    try {
      await writeAll(this.#client, bytes);
      this.#lastActivity = performance.now();
    } finally {
      clearTimeout(stalled);
    }
  }

  async #refuse(status: number, reason: string, kind: HttpLimit): Promise<void> {
    clearTimeout(this.#requestTimer);
    // a body the handler reads has a limit of its own, at most this one: its refusal (counted
    // there) may be on its way back while the client's bytes still come; one refusal, one count
    if (kind === "body-size" && this.#upstream) await this.#answerSettled(2_000);
    if (!this.#answered) {
      this.#hooks.limit(kind, `${status}: ${reason}`);
      this.#upstream?.close();
      await withTimeout(writeAll(this.#client, answer(status, reason)), 1_000).catch(() => {});
    }
    this.close();
  }

  /** Waits until the answer behind has come and gone quiet (or `ms` passed without one). */
  async #answerSettled(ms: number): Promise<void> {
    const start = performance.now();
    while (!this.#closed && performance.now() - start < ms) {
      if (this.#answered && performance.now() - this.#lastAnswer > 100) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  #startTimer(kind: "header-timeout" | "body-timeout", ms: number, what: string): void {
    clearTimeout(this.#requestTimer);
    this.#requestTimer = setTimeout(() => {
      if (this.#closed) return;
      this.#refuse(408, `${what} within ${ms} ms`, kind);
    }, ms);
  }

  #watchIdle(): void {
    const check = () => {
      if (this.#closed) return;
      const quiet = performance.now() - this.#lastActivity;
      if (quiet >= this.#idleTimeoutMs) {
        this.#hooks.limit("idle-timeout", `closed: nothing moved for ${this.#idleTimeoutMs} ms`);
        this.close();
      } else this.#idleTimer = setTimeout(check, this.#idleTimeoutMs - quiet);
    };
    this.#idleTimer = setTimeout(check, this.#idleTimeoutMs);
  }
}

/** A whole HTTP answer with a JSON error, closing the connection. */
function answer(status: number, message: string): Uint8Array {
  const body = JSON.stringify({ error: message });
  return encoder.encode(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}\r\n` +
      `content-type: application/json; charset=utf-8\r\ncontent-length: ${
        encoder.encode(body).length
      }\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** Answers a connection that is refused before anything is read, then closes it. */
export function answerAndClose(conn: Deno.TcpConn, status: number, message: string): void {
  withTimeout(writeAll(conn, answer(status, message)), 1_000).catch(() => {}).finally(() => {
    try {
      conn.close();
    } catch {
      // gone already
    }
  });
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await conn.write(bytes.subarray(done));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no progress within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
