/**
 * A flow test's Kafka broker of its own (a free port, a temporary data folder), for tests that
 * stop or restart it: the shared broker other tests use is untouched. Stopped and removed when
 * the test is done (`await using broker = await OwnBroker.start()`).
 *
 * @module
 */
import { type RunningBroker, startBroker } from "../../shared/kafka/broker.ts";
import { freePort } from "../../shared/kafka/broker_net.ts";
import type { Program } from "./programs.ts";
import { plugIn, type TestCp, type TestNetwork, waitForEvents } from "./network.ts";

/** A broker the test may stop and start again (same port, same data). */
export class OwnBroker implements AsyncDisposable {
  private constructor(
    private running: RunningBroker,
    private readonly listen: string,
    private readonly dataDir: string,
  ) {}

  static async start(): Promise<OwnBroker> {
    const dataDir = await Deno.makeTempDir({ prefix: "ev-own-broker-" });
    const listen = `127.0.0.1:${freePort()}`;
    try {
      return new OwnBroker(await startBroker({ listen, dataDir }), listen, dataDir);
    } catch (e) {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      throw e;
    }
  }

  /** Where clients connect. */
  get bootstrap(): string {
    return this.running.bootstrap;
  }

  /** Stops it (what it holds stays in its folder). */
  stop(): Promise<void> {
    return this.running.stop();
  }

  /** Starts it again on the same port and data. */
  async restart(): Promise<void> {
    this.running = await startBroker({ listen: this.listen, dataDir: this.dataDir });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.running.stop();
    await Deno.remove(this.dataDir, { recursive: true }).catch(() => {});
  }
}

/** CP1 supplying driver D1 on `net`, every program connected to Kafka, progress flowing. */
export async function supplyUnderWay(net: TestNetwork): Promise<{ cp: TestCp; d: Program }> {
  const cp = await net.addCp("CP1");
  await net.waitState("CP1", "available");
  await net.central.waitForLine(/connected to Kafka/);
  const d = await net.driver("D1", ["--cp", "CP1"]);
  await waitForEvents(d, "authorized");
  await plugIn(cp.engine);
  await waitForEvents(d, "progress", 2);
  return { cp, d };
}
