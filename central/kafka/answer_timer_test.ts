import assert from "node:assert/strict";
import { Metrics } from "../../shared/metrics.ts";
import { AnswerTimer } from "./answer_timer.ts";

Deno.test("a request's answer is timed from its broker append, once; strangers are forgotten", () => {
  let now = 10_000;
  const metrics = new Metrics();
  const timer = new AnswerTimer(metrics, 2, () => now);
  timer.received("r1", 9_990);
  now = 10_030; // answered 40 ms after the broker had it
  timer.answered("r1");
  timer.answered("r1"); // the same answer again: counted once
  timer.received("r2", 10_000);
  timer.received("r3", 10_000);
  timer.received("r4", 10_000); // past the capacity: r2 is forgotten
  timer.answered("r2");
  const text = metrics.render();
  assert.match(text, /^ev_request_answer_seconds_count 1$/m);
  assert.match(text, /^ev_request_answer_seconds_bucket\{le="0.025"\} 0$/m);
  assert.match(text, /^ev_request_answer_seconds_bucket\{le="0.05"\} 1$/m);
});
