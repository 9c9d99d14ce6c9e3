/**
 * End-to-end time of telemetry: from the `at` of the Engine's `supply.progress` envelope to the
 * moment its driver receives the `progress` notification Central relays for it. The simulator is
 * both the Engines and the drivers, so it knows both ends. A notification carries no telemetry
 * id, but Central relays the kWh it was told (the largest so far: the reported one, in order), so
 * the pair (session, kWh) names the record it came from.
 *
 * The notification's record timestamp (set by Central's producer when it published it) splits the
 * time in two: telemetry → Central's relay (the Engine's batch, the broker, Central's consumer and
 * core), and relay → driver (the broker, the driver's consumer).
 *
 * @module
 */
import { Histogram } from "./histogram.ts";

/** How long a record waits to be matched (either end may be told first). */
const KEEP_MS = 30_000;

const keyOf = (sessionId: string, kwh: number) => `${sessionId}|${kwh}`;

/** Matches what the Engines sent with what the drivers received. */
export class E2eProbe {
  readonly histogram = new Histogram();
  /** Telemetry `at` → the broker acknowledged it to the Engine's part (the simulator's side). */
  readonly toBroker = new Histogram();
  /** Telemetry `at` → Central published the notification. */
  readonly toRelay = new Histogram();
  /** Central published the notification → the driver has it. */
  readonly fromRelay = new Histogram();
  /** Notifications matched with no telemetry (should stay 0). */
  unmatched = 0;
  /** Notifications received whose telemetry was seen twice or that were received twice. */
  duplicates = 0;
  #sent = new Map<string, number>();
  #received = new Map<string, [number, number]>();
  #older = { sent: new Map<string, number>(), received: new Map<string, [number, number]>() };
  #timer: ReturnType<typeof setInterval>;

  constructor() {
    // two generations: what is older than KEEP_MS is dropped (and an unmatched receipt counted)
    this.#timer = setInterval(() => {
      this.unmatched += this.#older.received.size;
      this.#older = { sent: this.#sent, received: this.#received };
      this.#sent = new Map();
      this.#received = new Map();
    }, KEEP_MS);
    Deno.unrefTimer(this.#timer);
  }

  /** The broker has progress `kwh` of `sessionId` (envelope time `atMs`) since `ackedMs`. */
  sent(sessionId: string, kwh: number, atMs: number, ackedMs = NaN): void {
    if (!Number.isNaN(ackedMs)) this.toBroker.add(ackedMs - atMs);
    const key = keyOf(sessionId, kwh);
    const received = this.#take(this.#received, this.#older.received, key);
    if (received !== undefined) this.#match(atMs, received[0], received[1]);
    else if (!this.#sent.has(key)) this.#sent.set(key, atMs);
  }

  /**
   * A driver received progress `kwh` of `sessionId` at `receivedMs`, published by Central at
   * `relayedMs` (epoch ms).
   */
  received(sessionId: string, kwh: number, receivedMs: number, relayedMs = NaN): void {
    const key = keyOf(sessionId, kwh);
    const at = this.#take(this.#sent, this.#older.sent, key);
    if (at !== undefined) this.#match(at, receivedMs, relayedMs);
    else if (this.#received.has(key) || this.#older.received.has(key)) this.duplicates++;
    else this.#received.set(key, [receivedMs, relayedMs]);
  }

  /** Forgets the times so far (after a warm-up). */
  reset(): void {
    this.histogram.reset();
    this.toBroker.reset();
    this.toRelay.reset();
    this.fromRelay.reset();
  }

  #match(atMs: number, receivedMs: number, relayedMs: number): void {
    this.histogram.add(receivedMs - atMs);
    if (Number.isNaN(relayedMs)) return;
    this.toRelay.add(relayedMs - atMs);
    this.fromRelay.add(receivedMs - relayedMs);
  }

  /** Stops the clean-up timer. */
  close(): void {
    clearInterval(this.#timer);
  }

  #take<T>(a: Map<string, T>, b: Map<string, T>, key: string): T | undefined {
    const v = a.get(key) ?? b.get(key);
    if (v !== undefined) {
      a.delete(key);
      b.delete(key);
    }
    return v;
  }
}
