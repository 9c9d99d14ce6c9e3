/**
 * Operator orders (stop/resume one CP or all): one code path for the terminal, the web dashboard
 * and the HTTP API. The order takes effect on Central at once (a stopped CP refuses new supplies)
 * and is relayed to the CP, whose ACK, NACK or silence is reported as an application message.
 *
 * @module
 */
import type { Cp } from "./core/cp.ts";
import type { Network } from "./network.ts";
import type { AuditRepo } from "./db/audit_repo.ts";

/** An order to a CP. */
export type Order = "STOP" | "RESUME";

/** How a CP answered an order. */
export type OrderOutcome = "ack" | "timeout" | "not connected" | `nack: ${string}`;

/** Sends an order to a CP's Monitor (the socket server does it). */
export type OrderSender = (cpId: string, order: Order) => Promise<OrderOutcome>;

/** Who gave an order, for the audit log. */
export interface Actor {
  actor: string;
  source: string;
}

/** Carries out operator orders. */
export class Operator {
  constructor(
    private readonly network: Network,
    private readonly send: OrderSender,
    private readonly audit: AuditRepo,
  ) {}

  /**
   * Stops (or resumes) one CP; undefined for an unknown id. Resolves once the order is in the
   * database: an acknowledged order survives a crash of Central.
   */
  async order(cpId: string, order: Order, by: Actor): Promise<Cp | undefined> {
    const cp = this.network.update(cpId, { stopped: order === "STOP" });
    if (!cp) return undefined;
    await this.network.persisted(cp.id);
    this.#relay(cp.id, order, by);
    return cp;
  }

  /** Stops (or resumes) every CP. */
  async orderAll(order: Order, by: Actor): Promise<Cp[]> {
    const cps = await Promise.all(this.network.list().map((cp) => this.order(cp.id, order, by)));
    return cps.filter((cp) => cp !== undefined);
  }

  async #relay(cpId: string, order: Order, by: Actor): Promise<void> {
    const outcome = await this.send(cpId, order);
    const verb = order === "STOP" ? "stop" : "resume";
    await this.audit.record({ ...by, action: `${verb} ${cpId}`, result: outcome });
    if (outcome === "ack") this.network.message(`${cpId}: ${verb} acknowledged`);
    else if (outcome === "not connected") {
      this.network.message(`${cpId}: ${verb} recorded; applied when its Monitor connects`);
    } else this.network.message(`${cpId}: ${verb} not acknowledged (${outcome})`, "warn");
  }
}
