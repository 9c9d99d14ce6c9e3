import assert from "node:assert/strict";
import { Metrics } from "./metrics.ts";

Deno.test("metrics render as Prometheus text", () => {
  const m = new Metrics();
  const c = m.counter("ev_messages_total", "messages");
  c.inc({ topic: 'a"b' });
  c.inc({ topic: 'a"b' }, 2);
  m.gauge("ev_cps", "CPs by state", () => [[{ state: "available" }, 3]]);
  m.histogram("ev_latency_seconds", "latency").observe(0.02);
  const text = m.render();
  assert.match(text, /^# HELP ev_messages_total messages\n# TYPE ev_messages_total counter\n/);
  assert.match(text, /ev_messages_total\{topic="a\\"b"\} 3\n/);
  assert.match(text, /ev_cps\{state="available"\} 3\n/);
  assert.match(text, /ev_latency_seconds_bucket\{le="0.025"\} 1\n/);
  assert.match(text, /ev_latency_seconds_count 1\n/);
});

Deno.test("a counter asked for twice by name is the same counter (several parts count in one)", () => {
  const m = new Metrics();
  m.counter("ev_http_limits_total", "limits").inc({ limit: "body-size" });
  m.counter("ev_http_limits_total", "limits").inc({ limit: "body-size" });
  assert.match(m.render(), /ev_http_limits_total\{limit="body-size"\} 2\n/);
});
