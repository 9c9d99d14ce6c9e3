/**
 * The Engine's Kafka side (filled in by the supply lifecycle): for now, nothing is sent.
 *
 * @module
 */
import type { Engine } from "./engine.ts";

/** Options of {@link connectUplink}. */
export interface UplinkOptions {
  brokers: string;
  topicPrefix: string;
}

/** Connects the Engine to Kafka. */
export function connectUplink(
  _engine: Engine,
  _o: UplinkOptions,
): Promise<{ close(): Promise<void> }> {
  return Promise.resolve({ close: () => Promise.resolve() });
}
