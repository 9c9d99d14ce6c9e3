/**
 * Central's socket server for CP Monitors: this instance holds the links of the Monitors that
 * connect to it, whoever owns their CPs. A link must authenticate (AUTH with the CP's id and
 * secret) within {@link AUTH_TIMEOUT_MS}; then its HEALTH reports (every 2 s, and on each change)
 * are relayed to every instance as link facts, and silence for {@link SILENCE_MS} or a closed
 * connection ends it. The owner's orders come back through here and are ACKed, NACKed or time out.
 *
 * Async all the way: a silent or half-open connection costs a timer, not a thread.
 *
 * @module
 */
import type { FramedLink } from "../../shared/protocol/link.ts";
import { serveLinks } from "../../shared/protocol/server.ts";
import type { Request } from "../../shared/protocol/messages.ts";
import { RequestTimeoutError } from "../../shared/protocol/errors.ts";
import type { AliveLink, LinkEvent, OrderName } from "../../shared/events.ts";
import { admission, type LinkPhase, mayAuthenticate, mayRequest } from "../core/registration.ts";
import type { CpRepo } from "../db/cp_repo.ts";
import type { AuditRepo } from "../db/audit_repo.ts";
import { verifySecret } from "../secrets.ts";
import { AuthLimit } from "../../shared/protocol/auth_limit.ts";
import type { Metrics } from "../../shared/metrics.ts";
import { createLogger, errorMessage } from "../../shared/log.ts";
import { TimerWheel } from "../../shared/timer_wheel.ts";

const log = createLogger("central");

/**
 * A new connection must send its AUTH within this time. Only the peer's part counts: while its AUTH
 * is being checked (a lookup and an audit row, which wait behind others during a burst of
 * registrations) the link stays open; closing it then made the Monitor register again, which
 * made the burst longer. Nor does the time Central was late count (its AUTH may be unread).
 */
export const AUTH_TIMEOUT_MS = 5_000;
/** A Monitor silent this long is let go (it reports every 2 s: three reports missed). */
export const SILENCE_MS = 6_000;
/** How long an order waits for its ACK. */
export const ORDER_TIMEOUT_MS = 3_000;

type LinkFact = Extract<LinkEvent, { type: "link.up" | "link.health" | "link.down" }>;

/** What the server needs. */
export interface MonitorLinksOptions {
  hostname: string;
  port: number;
  instance: string;
  /** The CPs' rows: a registration's lookup (in turn with the other statements). */
  cps: Pick<CpRepo, "get" | "updateDetails">;
  audit: Pick<AuditRepo, "record">;
  metrics: Metrics;
  /** Tells every instance a fact about a link held here. */
  tell(fact: LinkFact): void;
  /** How long a link has been quiet since `since`, counting only time Central was on time. */
  quietSince?: (since: number) => number;
  /** The state shown for a CP now (answered to its Monitor). */
  stateOf(cpId: string): string;
  /** An application message for people. */
  message(text: string, level: "info" | "warn"): void;
}

/** A held link. */
interface Held {
  link: FramedLink;
  linkId: string;
  engineOk: boolean;
}

/** The running server. */
export interface MonitorLinks {
  /** The links held now (for the heartbeat). */
  held(): AliveLink[];
  /** Sends an order on a link held here; resolves with the Monitor's answer. */
  sendOrder(cpId: string, linkId: string, order: OrderName): Promise<string>;
  /** Lets a CP's link go (the CP was removed). */
  let(cpId: string): void;
  addr: Deno.NetAddr;
  close(): Promise<void>;
}

/** Starts listening for Monitors. */
export function startMonitorLinks(o: MonitorLinksOptions): MonitorLinks {
  const listener = Deno.listen({ hostname: o.hostname, port: o.port });
  const byCp = new Map<string, Held>();
  let next = 0;
  // a clean stop is not the Monitors' doing: their links are not reported gone (they move on
  // to another instance, and their supplies go on)
  let closing = false;
  const badInput = o.metrics.counter(
    "ev_socket_bad_input_total",
    "bad frames and messages on CP sockets",
  );
  const limits = o.metrics.counter(
    "ev_socket_limits_total",
    "CP socket connections and requests refused or closed by a limit, by limit",
  );
  // AUTH is rate-limited per link and per address (and failures per address): a peer that
  // pipelines AUTHs costs no query, no audit row, no message past its share
  const authLimit = new AuthLimit();
  // one wheel for the timers of thousands of links (a write's stall check, the silence watch)
  const wheel = new TimerWheel();

  const server = serveLinks(listener, (remote) => {
    let phase: LinkPhase = "new";
    let held: (Held & { cpId: string }) | undefined;
    let link!: FramedLink;
    let stopAuthWait = () => {};

    async function authenticate(msg: Extract<Request, { type: "AUTH" }>) {
      const may = mayAuthenticate(phase);
      if (!may.ok) return { nack: may.reason };
      const limited = authLimit.attempt(link, remote);
      if (limited) {
        limits.inc({ limit: "auth-rate" });
        return { nack: limited };
      }
      phase = "verifying";
      let row;
      try {
        row = await o.cps.get(msg.cpId);
      } catch (e) {
        phase = "new";
        log.warn(`cannot check ${msg.cpId}'s credentials: ${errorMessage(e)}`);
        return { nack: "Central cannot check credentials right now: try again" };
      }
      const verdict = admission(
        msg.cpId,
        row !== undefined,
        row !== undefined && await verifySecret(msg.secret, row.secretHash),
      );
      await o.audit.record({
        source: remote,
        actor: msg.cpId,
        action: "authenticate",
        result: verdict.ok ? "ok" : verdict.reason,
      });
      if (!verdict.ok || !row) {
        authLimit.failed(remote);
        const reason = verdict.ok ? "refused" : verdict.reason;
        o.message(`registration of ${msg.cpId} from ${remote} refused: ${reason}`, "warn");
        // a refused Monitor gets its reason, then the connection ends
        setTimeout(() => link.close(), 100);
        phase = "closed";
        return { nack: reason };
      }
      // the Monitor may have gone while its secret was checked: nothing to register then
      if (link.closeReason !== undefined) return { nack: "connection closed" };
      phase = "authenticated";
      stopAuthWait();
      const location = msg.location || row.location;
      const pricePerKwh = msg.pricePerKwh ?? row.pricePerKwh;
      if (location !== row.location || pricePerKwh !== row.pricePerKwh) {
        await o.cps.updateDetails(msg.cpId, location, pricePerKwh).catch((e) =>
          log.warn(`details of ${msg.cpId} not saved: ${errorMessage(e)}`)
        );
      }
      const previous = byCp.get(msg.cpId);
      held = {
        cpId: msg.cpId,
        link,
        linkId: `${o.instance}/${++next}`,
        engineOk: msg.health !== "KO",
      };
      byCp.set(msg.cpId, held);
      previous?.link.close();
      o.tell({
        type: "link.up",
        cpId: msg.cpId,
        holder: o.instance,
        linkId: held.linkId,
        engineOk: held.engineOk,
        location,
        pricePerKwh,
      });
      log.info(`${msg.cpId} linked from ${remote}`);
      return { ack: [o.stateOf(msg.cpId)] };
    }

    async function handle(msg: Request) {
      if (msg.type === "AUTH") return await authenticate(msg);
      const may = mayRequest(phase, msg.type);
      if (!may.ok || !held || msg.type !== "HEALTH") {
        return { nack: may.ok ? "unexpected" : may.reason };
      }
      const engineOk = msg.health === "OK";
      if (engineOk !== held.engineOk) {
        held.engineOk = engineOk;
        o.tell({
          type: "link.health",
          cpId: held.cpId,
          holder: o.instance,
          linkId: held.linkId,
          engineOk,
        });
      }
      return { ack: [o.stateOf(held.cpId)] };
    }

    return {
      idleTimeoutMs: SILENCE_MS,
      quietSince: o.quietSince,
      scheduler: wheel,
      onRequest: handle,
      onBadInput: (reason) => {
        badInput.inc();
        log.warn(`bad input from ${held?.cpId ?? remote}: ${reason}`);
      },
      accepted: (accepted) => {
        link = accepted;
        const acceptedAt = performance.now();
        const authWait = () => {
          if (phase === "authenticated" || phase === "closed") return;
          // its AUTH is being checked: Central's wait, not the peer's
          if (phase === "verifying") return void (stopAuthWait = wheel.after(1_000, authWait));
          // nor is the time Central was late: its AUTH may be waiting to be read
          const left = AUTH_TIMEOUT_MS -
            (o.quietSince?.(acceptedAt) ?? performance.now() - acceptedAt);
          if (left > 0) return void (stopAuthWait = wheel.after(left, authWait));
          log.warn(`${remote} did not authenticate within ${AUTH_TIMEOUT_MS} ms: closed`);
          link.close();
        };
        stopAuthWait = wheel.after(AUTH_TIMEOUT_MS, authWait);
        link.closed.then(() => {
          stopAuthWait();
          phase = "closed";
          if (held && byCp.get(held.cpId) === held) {
            byCp.delete(held.cpId);
            if (closing) return;
            o.tell({
              type: "link.down",
              cpId: held.cpId,
              holder: o.instance,
              linkId: held.linkId,
              reason: link.closeReason ?? "closed",
            });
          }
        });
      },
    };
  }, {
    // one host may run a whole fleet of Monitors (the simulator): no cap per address, one in all
    maxLinks: 50_000,
    onLimit: (limit) => limits.inc({ limit }),
  });

  return {
    held: () => [...byCp].map(([cpId, h]) => [cpId, h.linkId, h.engineOk]),
    sendOrder: async (cpId, linkId, order) => {
      const held = byCp.get(cpId);
      if (!held || held.linkId !== linkId) return "not connected";
      try {
        const reply = await held.link.request({ type: order }, { timeoutMs: ORDER_TIMEOUT_MS });
        return reply.type === "ACK" ? "ack" : `nack: ${reply.reason}`;
      } catch (e) {
        return e instanceof RequestTimeoutError ? "timeout" : "not connected";
      }
    },
    let: (cpId) => byCp.get(cpId)?.link.close(),
    addr: listener.addr,
    close: async () => {
      closing = true;
      await server.close();
      wheel.close();
    },
  };
}
