/**
 * A driver's own requests to Central (`driver.requests`, keyed by driver id, any instance
 * answers): a (re)started driver's hello, answered with its supply in progress and the tickets
 * it has not confirmed; a ticket's receipt.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import { superviseConsumer, type Supervised } from "../../shared/kafka/supervised.ts";
import type { Publisher } from "../../shared/kafka/publisher.ts";
import { parseEvent } from "../../shared/events.ts";
import type { Topics } from "../../shared/topics.ts";
import type { SessionRepo } from "../db/session_repo.ts";
import { helloReplies } from "../core/drivers.ts";
import { isDeterministic, retrying } from "../shell/failures.ts";
import type { DeadLetters } from "./dead_letters.ts";
import type { DbLanes } from "../db/lanes.ts";

/** Starts answering drivers. */
export async function startDriverRequests(o: {
  kafka: Kafka;
  topics: Topics;
  topicPrefix: string;
  sessions: Pick<SessionRepo, "live" | "unackedTickets" | "ticketAcked">;
  publisher: Publisher;
  deadLetters: DeadLetters;
  db: Pick<DbLanes, "run">;
}): Promise<Supervised> {
  return await superviseConsumer({
    kafka: o.kafka,
    topic: o.topics.driverRequests,
    config: {
      groupId: `${o.topicPrefix}central.drivers`,
      sessionTimeout: 6_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    },
    fromBeginning: true,
    partitionsConsumedConcurrently: 3,
    eachMessage: async ({ message, partition, topic }) => {
      const origin = { topic, partition, offset: message.offset };
      const e = parseEvent(message.value, ["driver.hello", "ticket.ack"] as const);
      if (typeof e === "string") return await o.deadLetters.setAside(origin, message.value, e);
      try {
        if (e.type === "ticket.ack") {
          const ack = () => o.sessions.ticketAcked(e.sessionId, e.driverId);
          await retrying(() => o.db.run("normal", ack), {
            what: `recording ${e.driverId}'s receipt of ${e.sessionId}`,
          });
          return;
        }
        const [live, unconfirmed] = await retrying(
          // a driver waits for these
          () =>
            o.db.run(
              "urgent",
              () =>
                Promise.all([o.sessions.live(e.driverId), o.sessions.unackedTickets(e.driverId)]),
            ),
          { what: `looking up ${e.driverId}'s supplies` },
        );
        await Promise.all(
          helloReplies(e.driverId, live, unconfirmed).map((r) => o.publisher.publish(r)),
        );
      } catch (err) {
        if (!isDeterministic(err)) throw err;
        await o.deadLetters.setAside(origin, message.value, String((err as Error).message));
      }
    },
  });
}
