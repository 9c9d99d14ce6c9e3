/**
 * The network as other instances announce it (`network` topic): the views of the CPs they own
 * and their application messages reach this instance's core and panels. What this instance
 * announces is published by its views (`shell/views.ts`).
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import { type Follower, followTopic } from "../../shared/kafka/follow.ts";
import { type AppMessage, parseEvent } from "../../shared/events.ts";
import { CP_STATES, type CpView } from "../../shared/cp_view.ts";
import { isValidId } from "../../shared/ids.ts";
import type { Topics } from "../../shared/topics.ts";
import type { Input } from "../core/inputs.ts";
import { createLogger } from "../../shared/log.ts";

const log = createLogger("central");

/** Whether a value announced as a CP's view is one. */
function isView(v: unknown): v is CpView {
  const c = v as CpView;
  return typeof c === "object" && c !== null && isValidId(c.id) &&
    (CP_STATES as readonly string[]).includes(c.state) && typeof c.location === "string" &&
    typeof c.pricePerKwh === "number" && typeof c.updatedAt === "string";
}

function isMessage(v: unknown): v is AppMessage {
  const m = v as AppMessage;
  return typeof m === "object" && m !== null && typeof m.text === "string" &&
    typeof m.at === "string" && ["info", "warn", "error"].includes(m.level);
}

/** Follows what other instances announce. */
export async function followNetwork(o: {
  kafka: Kafka;
  topics: Topics;
  topicPrefix: string;
  instance: string;
  dispatch(input: Input): Promise<void>;
  messages(messages: AppMessage[]): void;
}): Promise<Follower> {
  return await followTopic({
    kafka: o.kafka,
    topic: o.topics.network,
    groupPrefix: `${o.topicPrefix}central.network.${o.instance}`,
    onMessage: async (m) => {
      const e = parseEvent(m.value, ["network"] as const);
      if (typeof e === "string") return log.warn(`skipped a bad network view: ${e}`);
      if (!e.from || e.from === o.instance) return;
      const cps = e.cps.filter(isView);
      if (cps.length < e.cps.length) {
        log.warn(`${e.from} announced ${e.cps.length - cps.length} bad views`);
      }
      o.messages((e.messages ?? []).filter(isMessage));
      await o.dispatch({ type: "announced", from: e.from, cps, removed: e.removed ?? [] });
    },
  });
}
