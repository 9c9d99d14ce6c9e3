/**
 * What a server that accepts connections needs whatever it speaks (the CP socket server, the HTTP
 * front): open connections counted per address, and an accept loop that never stops (an accept
 * error, e.g. out of file descriptors, is waited out and tried again).
 *
 * @module
 */
import { errorMessage } from "../log.ts";

/** Open connections per address. */
export class AddressCounts {
  readonly #open = new Map<string, number>();

  /** Connections open from `address`. */
  of(address: string): number {
    return this.#open.get(address) ?? 0;
  }

  /** One more from `address`; returns the function that counts it closed (once). */
  opened(address: string): () => void {
    this.#open.set(address, this.of(address) + 1);
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      const left = this.of(address) - 1;
      if (left > 0) this.#open.set(address, left);
      else this.#open.delete(address);
    };
  }
}

/** How long an accept that failed waits before the next. */
const ACCEPT_RETRY_MS = 200;

/**
 * Accepts connections until `closing()` says so (or the listener is closed), handing each to
 * `serve`; `serve` may return a promise to wait for before the next accept (pacing). Failed
 * accepts are told to `warn` and tried again.
 */
export async function acceptForever(
  listener: Deno.Listener<Deno.TcpConn>,
  serve: (conn: Deno.TcpConn) => void | Promise<unknown>,
  closing: () => boolean,
  warn: (text: string) => void,
): Promise<void> {
  while (!closing()) {
    let conn: Deno.TcpConn;
    try {
      conn = await listener.accept();
    } catch (e) {
      if (closing() || e instanceof Deno.errors.BadResource) return;
      warn(`cannot accept a connection (${errorMessage(e)}): trying again`);
      await new Promise((resolve) => setTimeout(resolve, ACCEPT_RETRY_MS));
      continue;
    }
    await serve(conn);
  }
}
