/**
 * Helpers of the protocol's tests: a real TCP pair on 127.0.0.1, and a raw peer.
 *
 * @module
 */
import assert from "node:assert/strict";
import { encodeFrame, FrameDecoder } from "./frame.ts";
import { decodeMessage, type Message } from "./messages.ts";

/** Two ends of a real TCP connection on 127.0.0.1. */
export async function tcpPair(): Promise<[Deno.TcpConn, Deno.TcpConn]> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const { port } = listener.addr;
    return await Promise.all([Deno.connect({ hostname: "127.0.0.1", port }), listener.accept()]);
  } finally {
    listener.close();
  }
}

/** A raw peer: writes any bytes, reads the link's replies as messages. */
export class RawPeer {
  #decoder = new FrameDecoder();
  #queue: Message[] = [];
  #closed = false;
  constructor(readonly conn: Deno.TcpConn) {}

  close(): void {
    if (!this.#closed) this.conn.close();
    this.#closed = true;
  }

  /** Writes each part in turn: a string as a frame, bytes as they are. */
  async write(...parts: (string | Uint8Array)[]): Promise<void> {
    for (const part of parts) {
      const bytes = typeof part === "string" ? encodeFrame(part) : part;
      for (let done = 0; done < bytes.length;) done += await this.conn.write(bytes.subarray(done));
    }
  }

  /** The next `count` messages, or fewer when the stream ends first. */
  async read(count: number): Promise<Message[]> {
    const buffer = new Uint8Array(4096);
    while (this.#queue.length < count) {
      const n = await this.conn.read(buffer);
      if (n === null) break;
      for (const item of this.#decoder.push(buffer.subarray(0, n))) {
        assert.ok(item.ok, `the link sent a bad frame: ${!item.ok && item.error}`);
        this.#queue.push(decodeMessage(item.data));
      }
    }
    return this.#queue.splice(0, count);
  }
}
