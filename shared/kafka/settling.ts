/**
 * Errors a broker, or a cluster just formed, gives for a while after its start ("the coordinator
 * is loading", no leader yet): a client that waits for it to be ready asks again on these, and
 * on nothing else (a wrong advertised address is said at once).
 *
 * @module
 */

/** kafkajs 2.2's names (its error table), not today's Kafka ones. */
const SETTLING = new Set([
  "GROUP_LOAD_IN_PROGRESS",
  "GROUP_COORDINATOR_NOT_AVAILABLE",
  "NOT_COORDINATOR_FOR_GROUP",
  "LEADER_NOT_AVAILABLE",
  "NOT_LEADER_FOR_PARTITION",
  "NOT_ENOUGH_REPLICAS",
  "UNKNOWN_TOPIC_OR_PARTITION",
]);

type KafkaJsError = { type?: unknown; cause?: unknown };

/** Whether `e` (a kafkajs error, or its wrapper after retries, by `cause`) is a settling broker's. */
export function settling(e: unknown): boolean {
  for (let err = e as KafkaJsError | undefined; err && typeof err === "object";) {
    if (typeof err.type === "string" && SETTLING.has(err.type)) return true;
    err = err.cause as KafkaJsError | undefined;
  }
  return false;
}
