/**
 * What people and scripts may ask of Central, on any instance: the network's views, operator
 * orders (stop/resume one CP or all), enrolment and removal, a supply asked for from the
 * driver's web page. One code path for the HTTP API, the dashboard and the terminal.
 *
 * An order is published to the CP's owner (keyed by CP id, in order with its requests) and
 * answered at once with the view the CP will have; the owner applies it and keeps it.
 *
 * @module
 */
import type { CpView } from "../shared/cp_view.ts";
import { viewOf } from "./core/cp.ts";
import { viewAfterOrder } from "./core/orders.ts";
import type { Order } from "./core/effects.ts";
import type { Shell } from "./shell/shell.ts";
import type { Views } from "./shell/views.ts";
import type { CpRepo } from "./db/cp_repo.ts";
import type { AuditRepo } from "./db/audit_repo.ts";
import { enrollCp, type EnrollInput } from "./enrollment.ts";
import type { EventBody } from "../shared/events.ts";
import { envelope } from "../shared/events.ts";

/**
 * How long an order may wait for the broker (Central just started: for its producer to connect)
 * before the operator is told to try again.
 */
const SEND_TIMEOUT_MS = 5_000;

/** Who asked, for the audit log. */
export interface Actor {
  actor: string;
  source: string;
}

/** Central could not take the order now (Kafka away): say so, do not pretend. */
export class UnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnavailableError";
  }
}

/** What operations need. */
export interface OperationsOptions {
  shell: Shell;
  views: Views;
  cps: CpRepo;
  audit: AuditRepo;
  /** Publishes an event (with envelope id `id`); rejects while Kafka is away. */
  publish(body: EventBody, id?: string): Promise<void>;
  /**
   * Resolves once Central can publish: a CP shown available just after a restart (its Monitor
   * came back over the socket) takes an order while the consumers still join their group.
   */
  kafkaConnected(): Promise<void>;
  /** How long an order may wait for the broker. @default 5000 */
  sendTimeoutMs?: number;
}

/** Central's operations. */
export class Operations {
  constructor(private readonly o: OperationsOptions) {}

  /** Every CP's view. */
  list(): CpView[] {
    return this.o.views.list();
  }

  /** One CP's view, or undefined. */
  get(id: string): CpView | undefined {
    return this.o.views.get(id);
  }

  /** The id of a known CP, matched without regard to case (terminal commands). */
  find(id: string): string | undefined {
    if (this.o.shell.state.cps.has(id)) return id;
    const upper = id.toUpperCase();
    for (const known of this.o.shell.state.cps.keys()) {
      if (known.toUpperCase() === upper) return known;
    }
    return undefined;
  }

  /** Stops (or resumes) one CP; undefined for an unknown id. */
  async order(cpId: string, order: Order, by: Actor): Promise<CpView | undefined> {
    const cp = this.o.shell.state.cps.get(cpId);
    if (!cp) return undefined;
    await this.#send({ type: "operator.order", cpId, order });
    const verb = order === "STOP" ? "stop" : "resume";
    await this.o.audit.record({ ...by, action: `${verb} ${cpId}`, result: "sent to its owner" });
    return viewAfterOrder(cp, viewOf(cp), order);
  }

  /** Stops (or resumes) every CP. */
  async orderAll(order: Order, by: Actor): Promise<CpView[]> {
    const ids = [...this.o.shell.state.cps.keys()].sort();
    const views = await Promise.all(ids.map((id) => this.order(id, order, by)));
    return views.filter((v) => v !== undefined);
  }

  /** Enrolls a CP; shown here at once, and to every instance. */
  async enroll(input: EnrollInput, by: Actor): Promise<{ id: string; secret: string }> {
    const enrolled = await enrollCp(this.o.cps, input);
    const cp = { id: input.id, location: input.location, pricePerKwh: input.pricePerKwh };
    await this.o.shell.dispatch({ type: "enrolled", cp: { ...cp, stopped: false } });
    await this.o.audit.record({ ...by, action: `enroll ${input.id}`, result: "ok" });
    this.#tell({
      type: "cp.enrolled",
      cpId: cp.id,
      location: cp.location,
      pricePerKwh: cp.pricePerKwh,
    });
    return enrolled;
  }

  /** Removes a CP unless a supply is live there. */
  async remove(id: string, by: Actor): Promise<"removed" | "unknown" | "busy"> {
    const outcome = await this.o.cps.remove(id);
    await this.o.audit.record({ ...by, action: `remove ${id}`, result: outcome });
    if (outcome !== "removed") return outcome;
    await this.o.shell.dispatch({ type: "removed", cpId: id });
    this.#tell({ type: "cp.removed", cpId: id });
    return outcome;
  }

  /** Asks for a supply on a driver's behalf (its web page); returns the request's id. */
  async requestSupply(driverId: string, cpId: string): Promise<string> {
    const id = envelope({ type: "supply.request", driverId, cpId, source: "driver" }).id;
    await this.#send({ type: "supply.request", driverId, cpId, source: "driver" }, id);
    return id;
  }

  async #send(body: EventBody, id?: string): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new UnavailableError("Kafka did not take the order in time: try again")),
        this.o.sendTimeoutMs ?? SEND_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([this.o.kafkaConnected().then(() => this.o.publish(body, id)), late]);
    } catch (e) {
      if (e instanceof UnavailableError) throw e;
      throw new UnavailableError(`Kafka did not take it: ${(e as Error).message}: try again`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Tells the owner (best effort: the database has it already). */
  #tell(body: EventBody): void {
    this.o.kafkaConnected().then(() => this.o.publish(body)).catch(() => {});
  }
}
