/**
 * Central's socket server for CP Monitors. Each connection must authenticate (AUTH with the CP's
 * id and secret) within {@link AUTH_TIMEOUT_MS}; then its HEALTH reports (one a second) keep the
 * CP's state, and silence for {@link SILENCE_MS} or a closed connection shows it disconnected.
 * Operator orders go back on the same connection and are ACKed, NACKed or time out.
 *
 * Async all the way: a silent or half-open connection costs a timer, not a thread.
 *
 * @module
 */
import type { FramedLink } from "../shared/protocol/link.ts";
import { serveLinks } from "../shared/protocol/server.ts";
import type { Request } from "../shared/protocol/messages.ts";
import type { Network } from "./network.ts";
import type { CpRepo, CpRow } from "./db/cp_repo.ts";
import type { AuditRepo } from "./db/audit_repo.ts";
import type { Order, OrderOutcome, OrderSender } from "./operator.ts";
import { verifySecret } from "./secrets.ts";
import { stateOf } from "./core/cp.ts";
import type { Metrics } from "../shared/metrics.ts";
import { createLogger } from "../shared/log.ts";
import { RequestTimeoutError } from "../shared/protocol/errors.ts";

const log = createLogger("central");

/** A new connection must authenticate within this time. */
export const AUTH_TIMEOUT_MS = 5_000;
/** A Monitor silent this long is shown disconnected (it reports every second). */
export const SILENCE_MS = 3_500;
/** How long an order waits for its ACK. */
export const ORDER_TIMEOUT_MS = 3_000;

/** What the server needs. */
export interface CpServerOptions {
  hostname: string;
  port: number;
  network: Network;
  cps: CpRepo;
  audit: AuditRepo;
  metrics: Metrics;
}

/** A running server. */
export interface CpServer {
  /** Sends an order to a CP's Monitor. */
  sendOrder: OrderSender;
  /** The address it listens on. */
  addr: Deno.NetAddr;
  close(): Promise<void>;
}

/** Starts listening for Monitors. */
export function startCpServer(o: CpServerOptions): CpServer {
  const listener = Deno.listen({ hostname: o.hostname, port: o.port });
  /** The authenticated link of each connected CP. */
  const byCp = new Map<string, FramedLink>();
  const badInput = o.metrics.counter(
    "ev_socket_bad_input_total",
    "bad frames and messages on CP sockets",
  );
  const server = serveLinks(listener, (remote) => {
    let cpId: string | undefined;
    let link!: FramedLink;
    let authTimer: ReturnType<typeof setTimeout> | undefined;

    async function handle(msg: Request) {
      if (msg.type === "AUTH") {
        if (cpId) return { nack: "already authenticated" };
        const verdict = await authenticate(o, msg.cpId, msg.secret, remote);
        if (typeof verdict === "string") {
          // a refused Monitor gets its reason, then the connection ends
          setTimeout(() => link.close(), 100);
          return { nack: verdict };
        }
        // the Monitor may have gone while its secret was checked: nothing to register then
        if (link.closeReason !== undefined) return { nack: "connection closed" };
        cpId = msg.cpId;
        clearTimeout(authTimer);
        byCp.get(cpId)?.close();
        byCp.set(cpId, link);
        // a CP enrolled by another Central (or straight into the database) is known from now on
        const known = o.network.get(cpId) ?? o.network.added(verdict, { announce: false });
        const location = msg.location || known.location;
        const pricePerKwh = msg.pricePerKwh ?? known.pricePerKwh;
        if (location !== known.location || pricePerKwh !== known.pricePerKwh) {
          await o.cps.updateDetails(cpId, location, pricePerKwh);
        }
        const cp = o.network.update(cpId, {
          connected: true,
          engineOk: msg.health !== "KO",
          location,
          pricePerKwh,
        })!;
        o.network.message(`${cpId} registered from ${remote}`);
        // resynchronise the operator's order (it may have changed while the CP was away)
        queueMicrotask(() => sendOrder(cpId!, cp.stopped ? "STOP" : "RESUME"));
        return { ack: [stateOf(cp)] };
      }
      if (!cpId) return { nack: "authenticate first (AUTH)" };
      if (msg.type === "HEALTH") {
        const cp = o.network.get(cpId);
        if (cp && cp.engineOk !== (msg.health === "OK")) {
          o.network.update(cpId, { engineOk: msg.health === "OK" });
        }
        return { ack: [cp ? stateOf(cp) : "unknown"] };
      }
      return { nack: `${msg.type} is not a Monitor's request` };
    }

    return {
      idleTimeoutMs: SILENCE_MS,
      onRequest: handle,
      onBadInput: (reason) => {
        badInput.inc();
        log.warn(`bad input from ${cpId ?? remote}: ${reason}`);
      },
      accepted: (accepted) => {
        link = accepted;
        authTimer = setTimeout(() => {
          if (cpId) return;
          log.warn(`${remote} did not authenticate within ${AUTH_TIMEOUT_MS} ms: closed`);
          link.close();
        }, AUTH_TIMEOUT_MS);
        link.closed.then(() => {
          clearTimeout(authTimer);
          if (cpId && byCp.get(cpId) === link) {
            byCp.delete(cpId);
            o.network.update(cpId, { connected: false });
          }
        });
      },
    };
  });

  // a CP removed by the operator is let go at once (its Monitor is refused when it comes back)
  o.network.subscribe((e) => {
    if (e.kind === "removed") byCp.get(e.id)?.close();
  });

  const sendOrder = async (cpId: string, order: Order): Promise<OrderOutcome> => {
    const link = byCp.get(cpId);
    if (!link) return "not connected";
    try {
      const reply = await link.request({ type: order }, { timeoutMs: ORDER_TIMEOUT_MS });
      return reply.type === "ACK" ? "ack" : `nack: ${reply.reason}`;
    } catch (e) {
      return e instanceof RequestTimeoutError ? "timeout" : "not connected";
    }
  };

  return {
    sendOrder,
    addr: listener.addr,
    close: () => server.close(),
  };
}

/** Why a CP may not register, or its row when it may. Every attempt is audited. */
async function authenticate(
  o: CpServerOptions,
  cpId: string,
  secret: string,
  remote: string,
): Promise<string | CpRow> {
  const row = await o.cps.get(cpId);
  const refusal = !row
    ? `unknown CP '${cpId}' (enroll it first)`
    : !await verifySecret(secret, row.secretHash)
    ? "wrong secret"
    : undefined;
  await o.audit.record({
    source: remote,
    actor: cpId,
    action: "authenticate",
    result: refusal ?? "ok",
  });
  if (refusal) {
    o.network.message(`registration of ${cpId} from ${remote} refused: ${refusal}`, "warn");
  }
  return refusal ?? row!;
}
