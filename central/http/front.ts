/**
 * The HTTP front: Central's public HTTP port. `Deno.serve` (Deno 2.9) has no header, idle or
 * write timeouts and no connection limits (a silent or trickling connection stays open for ever,
 * checked), so every connection is accepted here first, its requests followed with a
 * {@link RequestScanner}, and its bytes relayed to the `Deno.serve` server behind on the loopback.
 *
 * What a connection gets:
 * - at most `maxPerAddress` from one address and `maxConnections` in all (past them: 503);
 * - each request head complete within `headerTimeoutMs` of its first byte (the first one within
 *   that time of the connection), at most `maxHeadBytes` (431), a body (declared, or chunked and
 *   counted as it comes) of at most `maxBodyBytes` (413), that body within `bodyTimeoutMs` (else
 *   408, or closed);
 * - closed when nothing moved either way for `idleTimeoutMs` (an event stream's keepalives move),
 *   or when the client does not take what is written to it for `writeTimeoutMs`.
 * A connection costs no connection behind it until its first head is complete. Each refusal is
 * told to `onLimit` (for a metric) and logged, at most a line a kind every 10 s.
 *
 * @module
 */
import { acceptForever, AddressCounts } from "../../shared/limits/connections.ts";
import { RequestScanner } from "./request_scanner.ts";
import { hostOf } from "../../shared/limits/host_of.ts";
import { LimitLog } from "../../shared/limits/limit_log.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";

const log = createLogger("http");

/** A limit the front enforced. */
export type HttpLimit =
  | "connections"
  | "connections-per-address"
  | "header-timeout"
  | "body-timeout"
  | "idle-timeout"
  | "write-stall"
  | "head-size"
  | "body-size"
  | "bad-request";

/** The front's limits. */
export interface HttpLimits {
  /** @default 10000 */
  headerTimeoutMs?: number;
  /** @default 30000 */
  bodyTimeoutMs?: number;
  /** @default 60000 */
  idleTimeoutMs?: number;
  /** @default 30000 */
  writeTimeoutMs?: number;
  /** @default 4096 */
  maxConnections?: number;
  /** @default 64 */
  maxPerAddress?: number;
  /** @default 16384 */
  maxHeadBytes?: number;
  /** @default 1048576 */
  maxBodyBytes?: number;
}

/** Options of {@link startHttpFront}. */
export interface HttpFrontOptions extends HttpLimits {
  hostname: string;
  port: number;
  /** The HTTP server behind (on the loopback). */
  upstream: { hostname: string; port: number };
  /** Told of each limit enforced, with the client's `host:port`. @default nothing */
  onLimit?: (limit: HttpLimit, remote: string) => void;
}

/** A running front. */
export interface HttpFront {
  /** Where it listens. */
  readonly addr: Deno.NetAddr;
  /** Client connections open now. */
  readonly connections: number;
  /** The client (`host:port`) behind a connection to the upstream from local port `port`. */
  remoteOf(port: number): string | undefined;
  /** Stops accepting and closes every connection. */
  close(): Promise<void>;
}

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

/**
 * Starts the front on `hostname:port`, relaying to `upstream`.
 *
 * @example
 * ```ts ignore
 * const behind = Deno.serve({ hostname: "127.0.0.1", port: 0 }, () => new Response("hi"));
 * const front = startHttpFront({ hostname: "0.0.0.0", port: 8080, upstream: behind.addr });
 * ```
 */
export function startHttpFront(options: HttpFrontOptions): HttpFront {
  const {
    hostname,
    port,
    upstream,
    onLimit = () => {},
    maxConnections = 4096,
    maxPerAddress = 64,
  } = options;
  const listener = Deno.listen({ hostname, port });
  const limitLog = new LimitLog(log);
  const relays = new Set<Relay>();
  const perAddress = new AddressCounts();
  const byUpstreamPort = new Map<number, string>();
  let closing = false;

  const limit = (kind: HttpLimit, remote: string, detail: string) => {
    limitLog.warn(kind, `${remote}: ${detail}`);
    onLimit(kind, remote);
  };

  const accept = (conn: Deno.TcpConn) => {
    const remote = `${conn.remoteAddr.hostname}:${conn.remoteAddr.port}`;
    const address = hostOf(remote);
    if (perAddress.of(address) >= maxPerAddress) {
      const why = `too many connections from ${address} (at most ${maxPerAddress})`;
      limit("connections-per-address", remote, `refused: ${why}`);
      return answerAndClose(conn, 503, why);
    }
    if (relays.size >= maxConnections) {
      const why = `too many connections (at most ${maxConnections})`;
      limit("connections", remote, `refused: ${why}`);
      return answerAndClose(conn, 503, why);
    }
    const closed = perAddress.opened(address);
    const relay = new Relay(conn, options, {
      upstream,
      limit: (kind, detail) => limit(kind, remote, detail),
      connected: (localPort) => byUpstreamPort.set(localPort, remote),
      released: (localPort) => byUpstreamPort.delete(localPort),
    });
    relays.add(relay);
    relay.done.then(() => {
      relays.delete(relay);
      closed();
    });
  };

  acceptForever(listener, accept, () => closing, (text) => limitLog.warn("accept", text));

  return {
    addr: listener.addr,
    get connections() {
      return relays.size;
    },
    remoteOf: (localPort) => byUpstreamPort.get(localPort),
    close: async () => {
      closing = true;
      try {
        listener.close();
      } catch {
        // closed already
      }
      const open = [...relays];
      for (const relay of open) relay.close();
      await Promise.all(open.map((r) => r.done));
    },
  };
}

interface RelayHooks {
  upstream: { hostname: string; port: number };
  limit(kind: HttpLimit, detail: string): void;
  connected(localPort: number): void;
  released(localPort: number): void;
}

/** One client connection and, once its first head is complete, its connection behind. */
class Relay {
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
function answerAndClose(conn: Deno.TcpConn, status: number, message: string): void {
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
