import assert from "node:assert/strict";
import { assignPartitions } from "./assigner.ts";

const topics = { requests: 12, telemetry: 12 };

Deno.test("partition p of every CP topic goes to one instance", () => {
  const members = [
    { memberId: "a-r", instance: "a", topic: "requests" },
    { memberId: "a-t", instance: "a", topic: "telemetry" },
    { memberId: "b-r", instance: "b", topic: "requests" },
    { memberId: "b-t", instance: "b", topic: "telemetry" },
  ];
  const out = assignPartitions(members, topics);
  assert.deepEqual(out["a-r"].requests, out["a-t"].telemetry);
  assert.deepEqual(out["b-r"].requests, out["b-t"].telemetry);
  assert.equal(out["a-r"].requests.length + out["b-r"].requests.length, 12);
  assert.deepEqual(out["a-r"].telemetry, [], "a member reads its own topic only");
});

Deno.test("an instance not complete yet gets nothing while a complete one is there", () => {
  const out = assignPartitions([
    { memberId: "a-r", instance: "a", topic: "requests" },
    { memberId: "a-t", instance: "a", topic: "telemetry" },
    { memberId: "b-r", instance: "b", topic: "requests" },
  ], topics);
  assert.equal(out["a-r"].requests.length, 12);
  assert.deepEqual(out["b-r"], { requests: [], telemetry: [] });
});

Deno.test("alone and starting: the first consumer takes its topic", () => {
  const out = assignPartitions([{ memberId: "a-r", instance: "a", topic: "requests" }], topics);
  assert.equal(out["a-r"].requests.length, 12);
});

Deno.test("the same members give the same assignment, whatever their order", () => {
  const members = ["c", "a", "b"].flatMap((i) => [
    { memberId: `${i}-r-${Math.random()}`, instance: i, topic: "requests" },
    { memberId: `${i}-t-${Math.random()}`, instance: i, topic: "telemetry" },
  ]);
  const one = assignPartitions(members, topics);
  const two = assignPartitions([...members].reverse(), topics);
  assert.deepEqual(one, two);
});
