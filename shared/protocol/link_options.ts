/**
 * What a `FramedLink` (`link.ts`) is given: the connection it runs over, the handler of the
 * peer's requests, and its limits and timers.
 *
 * @module
 */
import type { Request } from "./messages.ts";
import type { Scheduler } from "../scheduler.ts";

/** What a link needs of a connection (a `Deno.Conn` has it). */
export interface ByteStream {
  /** Reads into `buffer`; the number of bytes read, or `null` at the end of the stream. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes some of `bytes`; how many were written. */
  write(bytes: Uint8Array): Promise<number>;
  /** Ends the connection; pending reads and writes fail. */
  close(): void;
}

/** A handler's answer to a request: accepted with these fields, or refused for this reason. */
export type Answer = { ack: string[] } | { nack: string };

/** Answers the peer's requests (the link sends the answer). A throw is a bug: see `onError`. */
export type RequestHandler = (request: Request) => Answer | Promise<Answer>;

/** A limit of a link that was reached (`FramedLinkOptions.onLimit`). */
export type LinkLimit = "in-flight" | "outbound" | "write-stall";

/** A request as given to `FramedLink.request`: the link chooses its seq. */
export type RequestBody = WithoutSeq<Request>;

type WithoutSeq<M> = M extends unknown ? Omit<M, "seq"> : never;

/** Options of `FramedLink`. */
export interface FramedLinkOptions {
  /** Answers the peer's requests. @default every request refused with NACK "unexpected TYPE" */
  onRequest?: RequestHandler;
  /** Told why each bad frame or message was refused, for logging. @default nothing */
  onBadInput?: (reason: string) => void;
  /** Told when the handler throws (the peer gets NACK "internal error"). @default console.error */
  onError?: (error: unknown) => void;
  /** Bad frames or messages in a row that close the link (the last one gets no NACK). @default 10 */
  maxBadFrames?: number;
  /**
   * Close the link when nothing at all was received for this long (a peer whose request this side
   * is still answering is not silent: the wait is this side's). @default Infinity
   */
  idleTimeoutMs?: number;
  /**
   * How long the link has been quiet since `since` (a `performance.now()` time), for the idle
   * timeout and write stalls. A program that knows its own lateness counts only the time it was
   * on time: its own backlog is not the peer's silence. @default the time elapsed
   */
  quietSince?: (since: number) => number;
  /** How long `FramedLink.request` waits for a reply. @default 2000 */
  requestTimeoutMs?: number;
  /** The peer's requests served at once; more are NACKed ("too many requests in flight"). @default 32 */
  maxInFlight?: number;
  /** Bytes that may wait to be written (each frame counts 512 more); past them the link closes (the peer is not reading). @default 262144 */
  maxQueuedBytes?: number;
  /** A write the peer does not take within this time closes the link. @default 10000 */
  writeTimeoutMs?: number;
  /** Told each time a limit is reached, for logs and metrics (the link says why it closed). @default nothing */
  onLimit?: (limit: LinkLimit, detail: string) => void;
  /**
   * Runs the link's timers (request timeouts, write stalls, the idle check). A process holding
   * thousands of links gives them one `TimerWheel`: a runtime timer per write and per
   * request was 4 % of a simulator's time. @default the runtime's timers
   */
  scheduler?: Scheduler;
}

/** Options of `FramedLink.request`. */
export interface RequestOptions {
  /** How long to wait for the reply. @default the link's `requestTimeoutMs` */
  timeoutMs?: number;
}
