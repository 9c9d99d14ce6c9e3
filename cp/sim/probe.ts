/**
 * Open-loop probes of request → authorization during the load: extra drivers ask at a fixed
 * rate, whatever the answers (a closed loop would slow down with Central and hide its queue),
 * each at a CP of its own that supplies for a moment and is free again.
 *
 * @module
 */
import type { SimDrivers } from "./drivers.ts";
import { Histogram } from "./histogram.ts";

/** How the probe runs. */
export interface ProbeOptions {
  drivers: SimDrivers;
  /** The probe's CPs (driver `<driverPrefix>-<i>` asks at the i-th). */
  cps: string[];
  driverPrefix: string;
  /** Requests per second. */
  rate: number;
}

/** The running probe. */
export class Probe {
  /** Request → authorized, ms. */
  readonly authorizations = new Histogram();
  /** Of each: until Central published the answer, and the answer's delivery from then. */
  readonly toAnswer = new Histogram();
  readonly delivery = new Histogram();
  sent = 0;
  denied = 0;
  timeouts = 0;
  /** Ticks when the next CP was still busy with its last probe (no request then). */
  skipped = 0;
  readonly #busy: boolean[];
  #next = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly o: ProbeOptions) {
    this.#busy = o.cps.map(() => false);
  }

  /** Starts asking. */
  start(): void {
    if (this.o.rate <= 0 || this.o.cps.length === 0) return;
    this.#timer = setInterval(() => this.#tick(), 1000 / this.o.rate);
  }

  /** Forgets the figures so far (after a warm-up). */
  reset(): void {
    this.authorizations.reset();
    this.toAnswer.reset();
    this.delivery.reset();
    this.sent =
      this.denied =
      this.timeouts =
      this.skipped =
        0;
  }

  /** Stops asking. */
  stop(): void {
    clearInterval(this.#timer);
  }

  #tick(): void {
    const k = this.#next;
    this.#next = (k + 1) % this.o.cps.length;
    if (this.#busy[k]) return void this.skipped++;
    this.#busy[k] = true;
    this.sent++;
    const driver = `${this.o.driverPrefix}-${String(k + 1).padStart(4, "0")}`;
    this.o.drivers.ask(driver, this.o.cps[k]).then(async (asked) => {
      if (asked.answer === "authorized") {
        this.authorizations.add(asked.answerMs);
        this.toAnswer.add(Math.max(0, asked.toAnswerMs));
        this.delivery.add(Math.max(0, asked.deliveryMs));
      } else if (asked.answer === "denied") this.denied++;
      else this.timeouts++;
      await asked.outcome;
    }).finally(() => (this.#busy[k] = false));
  }
}
