/**
 * The Monitor's checks of its Engine: every second while it says OK, sooner while it says KO, so
 * that a restarted Engine (KO until its Kafka side is connected) is news when it is ready.
 */
import assert from "node:assert/strict";
import { EngineWatch } from "./engine_watch.ts";
import { Pauses } from "./asking.ts";
import { CHECK_EVERY_MS, RECHECK_KO_MS } from "./patience.ts";
import { serveLinks } from "../../shared/protocol/server.ts";
import { LoopLag } from "../../shared/loop_lag.ts";
import { timers } from "../../shared/scheduler.ts";
import { setLogSink } from "../../shared/log.ts";

/** Pauses that note what was asked and wait a moment only: the test does not wait whole seconds. */
class NotedPauses extends Pauses {
  readonly asked: number[] = [];
  override sleep(ms: number): Promise<void> {
    this.asked.push(ms);
    return super.sleep(Math.min(ms, 5));
  }
}

Deno.test("engine watch: an Engine that says KO is checked again soon, one that says OK in a second", async () => {
  const previous = setLogSink(() => {});
  // a starting Engine: KO for its first two checks, OK after
  const answers = ["KO", "KO", "OK", "OK", "OK"];
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const server = serveLinks(listener, () => ({
    onRequest: (msg) =>
      msg.type === "CHECK" ? { ack: [answers.shift() ?? "OK", "", ""] } : { ack: [] },
  }));
  const pauses = new NotedPauses(timers);
  const changes: string[] = [];
  const watch = new EngineWatch({
    cpId: "CP1",
    engine: { hostname: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port },
    lag: new LoopLag(),
    scheduler: timers,
    pauses,
    note: () => {},
    changed: (health) => changes.push(health),
    centralUp: () => true,
  });
  const running = watch.run();
  try {
    const deadline = Date.now() + 10_000;
    while (answers.length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(answers.length, 0, "the Engine was checked five times");
    assert.equal(watch.health, "OK");
    assert.deepEqual(changes, ["OK"], "KO (its first state) to OK, once");
    // the waits after the two KOs, then after the OKs (each less the time its check took)
    const [afterKo1, afterKo2, afterOk] = pauses.asked;
    assert.ok(afterKo1 <= RECHECK_KO_MS && afterKo2 <= RECHECK_KO_MS, `after KO: ${pauses.asked}`);
    assert.ok(afterOk > RECHECK_KO_MS && afterOk <= CHECK_EVERY_MS, `after OK: ${pauses.asked}`);
  } finally {
    pauses.stop();
    watch.close();
    await running;
    await server.close();
    setLogSink(previous);
  }
});
