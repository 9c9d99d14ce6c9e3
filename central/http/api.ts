/**
 * Central's HTTP API (BRIEF §6): the paths are a contract; answers are JSON. Operator actions
 * need `Authorization: Bearer <token>`, checked before anything else is looked at.
 *
 * @module
 */
import type { Operations } from "../operations.ts";
import { UnavailableError } from "../operations.ts";
import type { Order } from "../core/effects.ts";
import type { Views } from "../shell/views.ts";
import type { SessionRepo } from "../db/session_repo.ts";
import type { AuditRepo } from "../db/audit_repo.ts";
import { DuplicateCpError, EnrollError, parseEnrollInput } from "../enrollment.ts";
import { json, jsonError, readJson } from "./respond.ts";
import { networkEvents } from "./network_events.ts";
import { serveStatic } from "./static.ts";
import type { Metrics } from "../../shared/metrics.ts";
import { idProblem } from "../../shared/ids.ts";
import type { DriverFeed } from "../kafka/driver_feed.ts";
import { driverRoute } from "./drivers.ts";

/** What the API works with. */
export interface ApiDeps {
  operations: Operations;
  views: Views;
  sessions: SessionRepo;
  audit: AuditRepo;
  metrics: Metrics;
  token: string;
  feed: DriverFeed;
  /** What keeps Central from serving now (none: ready). */
  readiness(): Promise<string[]>;
}

/** Builds the request handler. */
export function createHandler(
  deps: ApiDeps,
): (req: Request, info: Deno.ServeHandlerInfo) => Promise<Response> {
  const requests = deps.metrics.counter("ev_http_requests_total", "HTTP requests by status");
  return async (req, info) => {
    let res: Response;
    try {
      res = await route(deps, req, addressOf(info));
    } catch (e) {
      res = e instanceof UnavailableError
        ? jsonError(503, e.message)
        : jsonError(500, e instanceof Error ? e.message : String(e));
    }
    requests.inc({ status: String(res.status) });
    return res;
  };
}

async function route(deps: ApiDeps, req: Request, source: string): Promise<Response> {
  const url = new URL(req.url);
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const method = req.method;
  const { operations } = deps;

  // a driver's own actions (its web page): not operator actions
  const forDriver = await driverRoute(req, path, deps);
  if (forDriver) return forDriver;

  if (method !== "GET" && method !== "HEAD") {
    if (!authorized(req, deps.token)) {
      await deps.audit.record({ source, action: `${method} ${path}`, result: "401 bad token" });
      return jsonError(401, "operator token required (Authorization: Bearer <token>)");
    }
    return await action(deps, req, method, path, source);
  }

  if (path === "/healthz") return json({ ok: true, cps: operations.list().length });
  if (path === "/readyz") {
    const problems = await deps.readiness();
    return json({ ready: problems.length === 0, problems }, problems.length === 0 ? 200 : 503);
  }
  if (path === "/metrics") {
    return new Response(deps.metrics.render(), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    });
  }
  if (path === "/api/cps") return json(operations.list());
  if (path === "/api/events") return networkEvents(deps.views, req.signal);
  if (path === "/api/messages") return json(deps.views.messages());
  let m = /^\/api\/cps\/([^/]+)$/.exec(path);
  if (m) {
    const cp = operations.get(decode(m[1]));
    return cp ? json(cp) : jsonError(404, `unknown CP '${decode(m[1])}'`);
  }
  if (path === "/api/sessions") {
    const cp = url.searchParams.get("cp") || undefined;
    const driver = url.searchParams.get("driver") || undefined;
    const limit = Number(url.searchParams.get("limit")) || undefined;
    return json(await deps.sessions.list({ cp, driver, limit }));
  }
  m = /^\/api\/sessions\/([^/]+)$/.exec(path);
  if (m) {
    const session = await deps.sessions.get(decode(m[1]));
    return session ? json(session) : jsonError(404, "unknown session");
  }
  if (path.startsWith("/api/")) return jsonError(404, `no such path ${path}`);
  if (path === "/driver") return await serveStatic("/driver.html");
  return await serveStatic(path);
}

async function action(
  deps: ApiDeps,
  req: Request,
  method: string,
  path: string,
  source: string,
): Promise<Response> {
  const by = { actor: "operator", source };
  if (method === "POST" && path === "/api/cps") {
    const body = await readJson(req);
    if (body === undefined) return jsonError(400, "body is not readable JSON");
    try {
      return json(await deps.operations.enroll(parseEnrollInput(body), by), 201);
    } catch (e) {
      if (e instanceof EnrollError) return jsonError(400, e.message);
      if (e instanceof DuplicateCpError) return jsonError(409, e.message);
      throw e;
    }
  }
  let m = /^\/api\/cps\/(stop|resume)$/.exec(path);
  if (method === "POST" && m) {
    return json(await deps.operations.orderAll(toOrder(m[1]), by));
  }
  m = /^\/api\/cps\/([^/]+)\/(stop|resume)$/.exec(path);
  if (method === "POST" && m) {
    const id = decode(m[1]);
    const cp = await deps.operations.order(id, toOrder(m[2]), by);
    return cp ? json(cp) : jsonError(404, `unknown CP '${id}'`);
  }
  m = /^\/api\/cps\/([^/]+)$/.exec(path);
  if (method === "DELETE" && m) {
    const id = decode(m[1]);
    const problem = idProblem(id, "id");
    if (problem) return jsonError(400, problem);
    const outcome = await deps.operations.remove(id, by);
    if (outcome === "unknown") return jsonError(404, `unknown CP '${id}'`);
    if (outcome === "busy") {
      return jsonError(409, `CP '${id}' has a supply in progress: stop it first`);
    }
    return json({ id, removed: true });
  }
  return jsonError(404, `no such action ${method} ${path}`);
}

/** A path segment decoded; a broken escape is kept as it is (and then matches nothing). */
function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function toOrder(verb: string): Order {
  return verb === "stop" ? "STOP" : "RESUME";
}

function authorized(req: Request, token: string): boolean {
  const header = req.headers.get("authorization") ?? "";
  const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
  if (!given || given.length !== token.length) return false;
  let diff = 0;
  for (let i = 0; i < token.length; i++) diff |= given.charCodeAt(i) ^ token.charCodeAt(i);
  return diff === 0;
}

function addressOf(info: Deno.ServeHandlerInfo): string {
  const addr = info.remoteAddr as Deno.NetAddr;
  return addr.hostname ? `${addr.hostname}:${addr.port}` : "";
}
