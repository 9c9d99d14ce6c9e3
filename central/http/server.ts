/**
 * Central's HTTP server: `Deno.serve` on the loopback, behind the {@link startHttpFront} front on
 * the public address, which enforces the connection limits `Deno.serve` lacks. The handler sees
 * the client's own address in `info.remoteAddr`, as if it were served directly.
 *
 * @module
 */
import { type HttpFront, type HttpLimit, type HttpLimits, startHttpFront } from "./front.ts";
import type { Metrics } from "../../shared/metrics.ts";

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions extends HttpLimits {
  hostname: string;
  port: number;
  /** Where `ev_http_limits_total{limit}` and `ev_http_connections` go. */
  metrics?: Metrics;
  /** Answers a handler that throws. @default a 500 with a JSON error */
  onError?: (error: unknown) => Response | Promise<Response>;
}

/** A running server. */
export interface HttpServer {
  /** Where clients reach it. */
  readonly addr: Deno.NetAddr;
  /** Closes every connection and stops. */
  shutdown(): Promise<void>;
}

/** The metric each limit of the front, the body readers and the event streams counts in. */
export const HTTP_LIMITS_METRIC = "ev_http_limits_total";

/**
 * Serves `handler` on `hostname:port` behind the front.
 *
 * @example
 * ```ts ignore
 * const http = startHttpServer({ hostname: "0.0.0.0", port: 8080, metrics }, handler);
 * await http.shutdown();
 * ```
 */
export function startHttpServer(
  options: HttpServerOptions,
  handler: (req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>,
): HttpServer {
  const { hostname, port, metrics, onError = defaultError, ...limits } = options;
  const counted = metrics?.counter(
    HTTP_LIMITS_METRIC,
    "HTTP requests and connections refused or closed by a limit",
  );
  const behind = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {}, onError },
    (req, info) => {
      const local = info.remoteAddr as Deno.NetAddr;
      const remote = front.remoteOf(local.port);
      const at = remote ? remote.lastIndexOf(":") : -1;
      const remoteAddr: Deno.NetAddr = at > 0
        ? { transport: "tcp", hostname: remote!.slice(0, at), port: Number(remote!.slice(at + 1)) }
        : local;
      return handler(req, { ...info, remoteAddr });
    },
  );
  const front: HttpFront = startHttpFront({
    ...limits,
    hostname,
    port,
    upstream: { hostname: "127.0.0.1", port: behind.addr.port },
    onLimit: (limit: HttpLimit) => counted?.inc({ limit }),
  });
  metrics?.gauge(
    "ev_http_connections",
    "HTTP client connections open",
    () => [[{}, front.connections]],
  );
  return {
    addr: front.addr,
    shutdown: async () => {
      await front.close();
      await behind.shutdown();
    },
  };
}

function defaultError(error: unknown): Response {
  const message = error instanceof Error ? error.message : String(error);
  return new Response(JSON.stringify({ error: message }), {
    status: 500,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}
