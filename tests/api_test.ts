/**
 * Central's HTTP API (BRIEF §6): every endpoint, the operator token before anything else, 404 for
 * unknown ids, 400 with a JSON error for bad bodies, SSE, metrics and the dashboard page.
 */
import assert from "node:assert/strict";
import { startNetwork } from "./support/network.ts";

const flow = { sanitizeOps: false, sanitizeResources: false };

Deno.test("API: every endpoint, token guard, bad ids and bodies", flow, async (t) => {
  await using net = await startNetwork();
  const base = `http://127.0.0.1:${net.httpPort}`;

  await t.step("health, list, dashboard, metrics", async () => {
    assert.deepEqual((await net.json("GET", "/healthz")).body, { ok: true, cps: 0 });
    assert.deepEqual((await net.json("GET", "/api/cps")).body, []);
    const page = await fetch(`${base}/`);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await page.text(), /SD EV CHARGING SOLUTION\. MONITORIZATION PANEL/);
    for (const file of ["app.js", "style.css"]) {
      const res = await fetch(`${base}/${file}`);
      assert.equal(res.status, 200, file);
      await res.body?.cancel();
    }
    const metrics = await fetch(`${base}/metrics`);
    assert.match(metrics.headers.get("content-type") ?? "", /text\/plain/);
    const text = await metrics.text();
    assert.match(text, /^# TYPE ev_cps gauge$/m);
    assert.match(text, /^ev_cps\{state="available"\} 0$/m);
  });

  await t.step("a missing or wrong token is 401 before anything else", async () => {
    for (
      const [method, path] of [["POST", "/api/cps"], ["POST", "/api/cps/NOPE/stop"], [
        "POST",
        "/api/cps/stop",
      ], ["DELETE", "/api/cps/NOPE"]]
    ) {
      assert.equal(
        (await net.fetch(method, path, "{broken", "")).status,
        401,
        `${method} ${path} without token`,
      );
      assert.equal(
        (await net.fetch(method, path, "{broken", "wrong")).status,
        401,
        `${method} ${path} wrong token`,
      );
    }
  });

  await t.step("enrolment: 201 with a secret, 409 twice, 400 for bad bodies", async () => {
    const created = await net.json<{ id: string; secret: string }>("POST", "/api/cps", {
      id: "CPX",
      location: "Lab",
      pricePerKwh: 0.3,
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.id, "CPX");
    assert.ok(created.body.secret.length >= 16);
    assert.equal(
      (await net.fetch("POST", "/api/cps", { id: "CPX", location: "Lab", pricePerKwh: 0.3 }))
        .status,
      409,
    );
    for (
      const bad of [
        '{"id":',
        "[]",
        '{"id":"a b"}',
        '{"id":"CPY","pricePerKwh":-1}',
        '{"id":"CPY","location":5}',
      ]
    ) {
      const res = await net.json<{ error: string }>("POST", "/api/cps", bad);
      assert.equal(res.status, 400, bad);
      assert.equal(typeof res.body.error, "string");
    }
    const cp = await net.json<Record<string, unknown>>("GET", "/api/cps/CPX");
    assert.equal(cp.status, 200);
    assert.deepEqual(
      {
        id: cp.body.id,
        location: cp.body.location,
        pricePerKwh: cp.body.pricePerKwh,
        state: cp.body.state,
      },
      { id: "CPX", location: "Lab", pricePerKwh: 0.3, state: "disconnected" },
    );
    assert.ok(!Number.isNaN(Date.parse(String(cp.body.updatedAt))));
  });

  await t.step("orders: one CP, all CPs, unknown CP 404", async () => {
    const stopped = await net.json<{ state: string }>("POST", "/api/cps/CPX/stop");
    assert.equal(stopped.status, 200);
    assert.equal(stopped.body.state, "disconnected"); // no Monitor: the order waits for it
    assert.equal((await net.fetch("POST", "/api/cps/NOPE/stop")).status, 404);
    assert.equal((await net.fetch("POST", "/api/cps/NOPE/resume")).status, 404);
    const all = await net.json<unknown[]>("POST", "/api/cps/resume");
    assert.equal(all.status, 200);
    assert.equal(all.body.length, 1);
    assert.equal((await net.json<unknown[]>("POST", "/api/cps/stop")).status, 200);
  });

  await t.step("sessions: a list, 404 for an unknown one", async () => {
    assert.deepEqual((await net.json("GET", "/api/sessions?cp=CPX")).body, []);
    assert.deepEqual((await net.json("GET", "/api/sessions?driver=D1")).body, []);
    assert.equal((await net.fetch("GET", "/api/sessions/nope")).status, 404);
    assert.equal((await net.fetch("GET", "/api/nothing")).status, 404);
  });

  await t.step("lists come in pages; a limit beyond the maximum is 400", async () => {
    for (const id of ["CPP1", "CPP2", "CPP3"]) {
      await net.fetch("POST", "/api/cps", { id, location: "Lab", pricePerKwh: 0.3 });
    }
    const first = await net.fetch("GET", "/api/cps?limit=2");
    const ids = (await first.json() as Array<{ id: string }>).map((c) => c.id);
    assert.deepEqual(ids, ["CPP1", "CPP2"]);
    const next = /^<([^>]+)>; rel="next"$/.exec(first.headers.get("link") ?? "")?.[1];
    assert.equal(next, "/api/cps?limit=2&after=CPP2");
    const rest = await net.json<Array<{ id: string }>>("GET", next!);
    assert.deepEqual(rest.body.map((c) => c.id), ["CPP3", "CPX"]);
    for (const path of ["/api/cps?limit=10001", "/api/sessions?limit=0", "/api/sessions?limit=x"]) {
      const res = await net.json<{ error: string }>("GET", path);
      assert.equal(res.status, 400, path);
      assert.match(res.body.error, /^limit must be a whole number from 1 to/);
    }
    const cursor = await net.json<{ error: string }>("GET", "/api/sessions?before=nonsense");
    assert.equal(cursor.status, 400);
    for (const id of ["CPP1", "CPP2", "CPP3"]) await net.fetch("DELETE", `/api/cps/${id}`);
  });

  await t.step(
    "a body over the limit is 413 with a JSON error, even on a route without a token",
    async () => {
      const big = new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < 64; i++) c.enqueue(new Uint8Array(64 * 1024).fill(0x20));
          c.close();
        },
      });
      const res = await fetch(`${base}/api/drivers/D1/requests`, { method: "POST", body: big });
      assert.equal(res.status, 413);
      assert.deepEqual(await res.json(), { error: "request body over 65536 bytes" });
      const declared = await fetch(`${base}/api/drivers/D1/requests`, {
        method: "POST",
        headers: { "content-length": String(2 * 1024 * 1024) },
        body: new Uint8Array(2 * 1024 * 1024),
      });
      assert.equal(declared.status, 413);
      await declared.body?.cancel();
      assert.match(
        await (await fetch(`${base}/metrics`)).text(),
        /ev_http_limits_total\{limit="body-size"\} 2/,
      );
    },
  );

  await t.step("events: a snapshot, then changes", async () => {
    const res = await fetch(`${base}/api/events`);
    assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        text += value;
      }
    };
    await until(/event: snapshot\ndata: .*"CPX"/);
    await net.fetch("POST", "/api/cps", { id: "CPZ", location: "Lab", pricePerKwh: 0.3 });
    await until(/event: cps\ndata: .*"CPZ"/);
    await net.fetch("DELETE", "/api/cps/CPZ");
    await until(/event: removed\ndata: \{"id":"CPZ"\}/);
    await reader.cancel();
  });

  await t.step("removal: 200, then 404", async () => {
    assert.equal((await net.fetch("DELETE", "/api/cps/CPX")).status, 200);
    assert.equal((await net.fetch("DELETE", "/api/cps/CPX")).status, 404);
    assert.equal((await net.fetch("GET", "/api/cps/CPX")).status, 404);
  });
});
