/**
 * A framed link over one connection: requests and replies both ways, correlated by seq.
 *
 * The link reads in the background, answers the peer's requests through a handler, refuses bad
 * input with a NACK, and ends the connection when the peer falls silent or keeps sending bad
 * frames. Nothing it does can leave a promise rejected unhandled: only the promises returned to
 * the caller ({@link FramedLink.send}, {@link FramedLink.request}) reject.
 *
 * Its memory is bounded whatever the peer does: at most `maxInFlight` of the peer's requests are
 * served at once (more are NACKed at once, without reaching the handler), at most
 * `maxQueuedBytes` wait to be written, and a write that the peer does not take within
 * `writeTimeoutMs` ends the link (a peer that never reads is let go, not buffered for).
 *
 * @module
 */
import { LinkClosedError, quote, RequestTimeoutError } from "./errors.ts";
import { type Decoded, encodeFrame, FRAME_ERRORS, FrameDecoder, MAX_DATA_BYTES } from "./frame.ts";
import {
  decodeMessage,
  encodeMessage,
  type Message,
  type Nack,
  nackFor,
  type Reply,
  type Request,
} from "./messages.ts";
import { type Cancel, type Scheduler, timers } from "../scheduler.ts";
import { errorMessage } from "../log.ts";
import type {
  ByteStream,
  FramedLinkOptions,
  LinkLimit,
  RequestBody,
  RequestHandler,
  RequestOptions,
} from "./link_options.ts";

export type * from "./link_options.ts";

interface Pending {
  resolve(reply: Reply): void;
  reject(error: Error): void;
  cancel: Cancel;
}

/**
 * What one frame waiting to be sent costs beyond its bytes (its promise and bookkeeping): counted
 * against `maxQueuedBytes`, so that many tiny NACKs are bounded as surely as a few big frames.
 */
const QUEUED_FRAME_OVERHEAD = 512;

/** Bytes of a read decoded at a time (a link closed midway decodes no more of it). */
const DECODE_SLICE = 256;

/**
 * Bytes a read takes while frames come a few at a time (a HEALTH is ~60 bytes; the decoder keeps
 * a partial frame across reads). Each pending read holds its buffer: at 2,000 idle links, a whole
 * DATA's 4 KB each was 3 KB a link more RSS than this.
 */
const READ_BYTES = 512;

/** Bytes a read takes while the peer sends more than a read holds (a burst, a flood). */
const BULK_READ_BYTES = MAX_DATA_BYTES + 3;

/**
 * Requests, replies and bad-input handling over one connection.
 *
 * @example
 * ```ts ignore
 * import { FramedLink } from "./link.ts";
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: 7100 });
 * const link = new FramedLink(conn, { idleTimeoutMs: 5000 });
 * const reply = await link.request({ type: "CHECK" }, { timeoutMs: 500 });
 * console.log(reply); // { type: "ACK", seq: 1, fields: ["OK"] }
 * link.close();
 * await link.closed;
 * ```
 */
export class FramedLink {
  /** Resolves once the connection has ended, for any reason, and its reads and writes are over. */
  readonly closed: Promise<void>;

  #conn: ByteStream;
  #onRequest: RequestHandler;
  #onBadInput: (reason: string) => void;
  #onError: (error: unknown) => void;
  #maxBadFrames: number;
  #requestTimeoutMs: number;
  #decoder = new FrameDecoder();
  #pending = new Map<number, Pending>();
  /** Replies that came after their request had timed out. */
  lateReplies = 0;
  #lastSeq = 0;
  #badInARow = 0;
  /** When the peer was last heard from, or last answered: its silence counts from then. */
  #lastReceived = performance.now();
  #stopIdleWatch: Cancel = () => {};
  readonly #scheduler: Scheduler;
  readonly #quietSince: (since: number) => number;
  #writes: Promise<void> = Promise.resolve();
  #closeReason: string | undefined;
  #maxInFlight: number;
  #maxQueuedBytes: number;
  #writeTimeoutMs: number;
  #onLimit: (limit: LinkLimit, detail: string) => void;
  /** The peer's requests being served or whose reply is not written yet. */
  #inFlight = 0;
  /** Bytes handed to {@link FramedLink.send} and not written yet. */
  #queuedBytes = 0;
  #misbehaved = false;

  /** Starts a link over `conn`; it reads in the background until the connection ends. */
  constructor(conn: ByteStream, options: FramedLinkOptions = {}) {
    const {
      onRequest = (request) => ({ nack: `unexpected ${request.type}` }),
      onBadInput = () => {},
      onError = (error) => console.error(error),
      maxBadFrames = 10,
      idleTimeoutMs = Infinity,
      quietSince = (since: number) => performance.now() - since,
      requestTimeoutMs = 2000,
      maxInFlight = 32,
      maxQueuedBytes = 256 * 1024,
      writeTimeoutMs = 10_000,
      onLimit = () => {},
      scheduler = timers,
    } = options;
    checkPositive("maxBadFrames", maxBadFrames);
    checkPositive("idleTimeoutMs", idleTimeoutMs);
    this.#quietSince = quietSince;
    checkPositive("requestTimeoutMs", requestTimeoutMs);
    checkPositive("maxInFlight", maxInFlight);
    checkPositive("maxQueuedBytes", maxQueuedBytes);
    checkPositive("writeTimeoutMs", writeTimeoutMs);
    this.#maxInFlight = maxInFlight;
    this.#maxQueuedBytes = maxQueuedBytes;
    this.#writeTimeoutMs = writeTimeoutMs;
    this.#onLimit = onLimit;
    this.#scheduler = scheduler;
    this.#conn = conn;
    this.#onRequest = onRequest;
    this.#onBadInput = onBadInput;
    this.#onError = onError;
    this.#maxBadFrames = maxBadFrames;
    this.#requestTimeoutMs = requestTimeoutMs;
    if (idleTimeoutMs !== Infinity) this.#watchIdle(idleTimeoutMs);
    this.closed = this.#readAll();
  }

  /**
   * Whether the link was closed for the peer's misbehaviour (bad frames in a row, a limit
   * reached), as opposed to its going or this side's closing.
   */
  get misbehaved(): boolean {
    return this.#misbehaved;
  }

  /** Why the link closed (e.g. "peer closed the connection"), or `undefined` while it is open. */
  get closeReason(): string | undefined {
    return this.#closeReason;
  }

  /**
   * Writes one message as is; resolves once it is written. Writes never interleave. A message
   * that would make more than `maxQueuedBytes` wait closes the link instead.
   *
   * @throws {ProtocolError} (as a rejection) when the message would fail the peer's checks.
   * @throws {LinkClosedError} (as a rejection) when the link is or becomes closed.
   */
  async send(message: Message): Promise<void> {
    const frame = encodeFrame(encodeMessage(message));
    if (this.#closeReason !== undefined) throw new LinkClosedError(this.#closeReason);
    const cost = frame.length + QUEUED_FRAME_OVERHEAD;
    if (this.#queuedBytes + cost > this.#maxQueuedBytes) {
      const reason = `peer is not reading: over ${this.#maxQueuedBytes} bytes waiting to be sent`;
      this.#onLimit("outbound", reason);
      this.#misbehaved = true;
      this.#shutdown(reason);
      throw new LinkClosedError(reason);
    }
    this.#queuedBytes += cost;
    const write = this.#writes.then(() => this.#write(frame))
      .finally(() => (this.#queuedBytes -= cost));
    this.#writes = write.catch((error: Error) => this.#shutdown(error.message));
    await write;
  }

  /**
   * Sends a request with the next seq and resolves with the peer's reply (an ACK or a NACK).
   *
   * @throws {RequestTimeoutError} (as a rejection) when no reply comes in time.
   * @throws {LinkClosedError} (as a rejection) when the link closes first.
   */
  request(body: RequestBody, options: RequestOptions = {}): Promise<Reply> {
    const { timeoutMs = this.#requestTimeoutMs } = options;
    return new Promise<Reply>((resolve, reject) => {
      checkPositive("timeoutMs", timeoutMs);
      if (this.#closeReason !== undefined) throw new LinkClosedError(this.#closeReason);
      const seq = this.#lastSeq = this.#lastSeq % Number.MAX_SAFE_INTEGER + 1;
      const cancel = this.#scheduler.after(
        timeoutMs,
        () => this.#settle(seq, new RequestTimeoutError(`${body.type} #${seq}`, timeoutMs)),
      );
      this.#pending.set(seq, { resolve, reject, cancel });
      this.send({ ...body, seq } as Request).catch((error) => this.#settle(seq, error));
    });
  }

  /** Ends the link: pending requests fail with {@link LinkClosedError}. Calling it again does nothing. */
  close(): void {
    this.#shutdown("closed by this side");
  }

  /**
   * Ends the link for the peer's misbehaviour (`reason`), once what is on its way was written:
   * the server holds back an address whose links keep being refused.
   */
  refuse(reason: string): void {
    this.#misbehaved = true;
    this.#writes.finally(() => this.#shutdown(reason));
  }

  async #readAll(): Promise<void> {
    let buffer = new Uint8Array(READ_BYTES);
    try {
      while (this.#closeReason === undefined) {
        const n = await this.#conn.read(buffer);
        if (n === null) {
          for (const item of this.#decoder.end()) this.#receive(item);
          this.#shutdown("peer closed the connection");
        } else {
          this.#lastReceived = performance.now();
          // a slice at a time: once the link is condemned, the rest of the read is not decoded
          for (let at = 0; at < n && this.#closeReason === undefined; at += DECODE_SLICE) {
            const slice = buffer.subarray(at, Math.min(n, at + DECODE_SLICE));
            for (const item of this.#decoder.push(slice)) this.#receive(item);
          }
          // a full read means more is waiting: take it in bigger reads until the burst is over
          const size = n === buffer.length ? BULK_READ_BYTES : READ_BYTES;
          if (size !== buffer.length) buffer = new Uint8Array(size);
        }
      }
    } catch (error) {
      this.#shutdown(`read failed: ${errorMessage(error)}`);
    }
    await this.#writes;
  }

  #receive(item: Decoded): void {
    if (this.#closeReason !== undefined) return;
    if (!item.ok) {
      const reason = FRAME_ERRORS[item.error];
      return this.#refuse(reason, { type: "NACK", seq: 0, reason });
    }
    let message: Message;
    try {
      message = decodeMessage(item.data);
    } catch (error) {
      const reason = errorMessage(error);
      return this.#refuse(reason, nackFor(item.data, reason));
    }
    if (message.type === "ACK" || message.type === "NACK") {
      this.#badInARow = 0;
      return this.#settle(message.seq, message);
    }
    if (this.#inFlight >= this.#maxInFlight) {
      const reason = `too many requests in flight (at most ${this.#maxInFlight})`;
      this.#onLimit("in-flight", reason);
      return this.#refuse(reason, { type: "NACK", seq: message.seq, reason });
    }
    this.#badInARow = 0;
    this.#serve(message);
  }

  #refuse(reason: string, nack: Nack | undefined): void {
    this.#onBadInput(reason);
    if (++this.#badInARow >= this.#maxBadFrames) {
      this.#misbehaved = true;
      return this.#shutdown(`${this.#badInARow} bad frames in a row`);
    }
    if (nack) this.send(nack).catch(() => {}); // a failed write already closes the link
  }

  #serve(request: Request): void {
    const { seq } = request;
    this.#inFlight++;
    Promise.resolve()
      .then(() => this.#onRequest(request))
      .then(
        (answer): Reply =>
          "ack" in answer
            ? { type: "ACK", seq, fields: answer.ack }
            : { type: "NACK", seq, reason: answer.nack },
        (error): Reply => {
          this.#onError(error);
          return { type: "NACK", seq, reason: "internal error" };
        },
      )
      .then((reply) => this.send(reply))
      .catch((error) => {
        if (!(error instanceof LinkClosedError)) this.#onError(error);
      })
      .finally(() => {
        this.#inFlight--;
        // its silence counts from its answer: a peer waiting for this side is not silent
        this.#lastReceived = performance.now();
      });
  }

  /** Ends a pending request with its reply or an error; a reply to nothing asked is reported. */
  #settle(seq: number, outcome: Reply | Error): void {
    const pending = this.#pending.get(seq);
    if (!pending) {
      if (outcome instanceof Error) return;
      // the answer to a request of ours that timed out: lateness, not bad input
      if (seq > 0 && seq <= this.#lastSeq) return void this.lateReplies++;
      const why = outcome.type === "NACK" ? `: ${quote(outcome.reason)}` : "";
      return this.#onBadInput(`${outcome.type} #${seq} answers no pending request${why}`);
    }
    this.#pending.delete(seq);
    pending.cancel();
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  async #write(frame: Uint8Array): Promise<void> {
    if (this.#closeReason !== undefined) throw new LinkClosedError(this.#closeReason);
    // stalled: `writeTimeoutMs` of this program's on-time waiting (its own backlog is not the peer's)
    const since = performance.now();
    const check = () => {
      const left = this.#writeTimeoutMs - this.#quietSince(since);
      if (left > 0) return void (stalled = this.#scheduler.after(left, check));
      const reason = `write stalled for ${this.#writeTimeoutMs} ms: the peer is not reading`;
      this.#onLimit("write-stall", reason);
      this.#misbehaved = true;
      this.#shutdown(reason);
    };
    let stalled = this.#scheduler.after(this.#writeTimeoutMs, check);
    try {
      for (let done = 0; done < frame.length;) done += await this.#conn.write(frame.subarray(done));
    } catch (error) {
      if (this.#closeReason !== undefined) throw new LinkClosedError(this.#closeReason);
      throw new LinkClosedError(`write failed: ${errorMessage(error)}`, { cause: error });
    } finally {
      stalled();
    }
  }

  #watchIdle(idleTimeoutMs: number): void {
    const check = () => {
      // a peer waiting for this side's answer to its request is not silent
      const quiet = this.#inFlight > 0 ? 0 : this.#quietSince(this.#lastReceived);
      if (quiet >= idleTimeoutMs) this.#shutdown(`nothing received for ${idleTimeoutMs} ms`);
      else this.#stopIdleWatch = this.#scheduler.after(idleTimeoutMs - quiet, check);
    };
    this.#stopIdleWatch = this.#scheduler.after(idleTimeoutMs, check);
  }

  #shutdown(reason: string): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    this.#stopIdleWatch();
    for (const seq of this.#pending.keys()) this.#settle(seq, new LinkClosedError(reason));
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

function checkPositive(name: string, value: number): void {
  if (!(value > 0)) {
    throw new RangeError(`Cannot use '${name}' as it must be positive: current value is ${value}`);
  }
}
