import assert from "node:assert/strict";
import kafkajs from "kafkajs";
import { settling } from "./settling.ts";

// kafkajs is CommonJS: its error classes are on its default export only
const { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } = kafkajs;

Deno.test("a coordinator still loading is a broker settling, also after kafkajs's retries", () => {
  // what a three-broker cluster answered a consumer group's first request, just formed (kafkajs
  // builds its protocol errors from such an entry of its error table, which its types do not say)
  const loading = new KafkaJSProtocolError({
    type: "GROUP_LOAD_IN_PROGRESS",
    code: 14,
    retriable: true,
    message: "The coordinator is loading and hence can't process requests for this group",
  } as unknown as Error);
  assert.equal(settling(loading), true);
  assert.equal(
    settling(new KafkaJSNumberOfRetriesExceeded(loading, { retryCount: 5, retryTime: 1000 })),
    true,
  );
});

Deno.test("anything else is not: a bad address is said at once", () => {
  assert.equal(settling(new Error("Connection error: connect ECONNREFUSED 10.0.0.9:9092")), false);
  assert.equal(settling(undefined), false);
  assert.equal(settling("text"), false);
});
