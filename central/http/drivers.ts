/**
 * The driver's side of the HTTP API, for the driver's web page: ask for a charge, follow one's
 * own notifications (SSE), see one's tickets. A driver acts only as itself: the id in the path.
 *
 * @module
 */
import type { DriverFeed } from "../kafka/driver_feed.ts";
import type { Operations } from "../operations.ts";
import { idProblem } from "../../shared/ids.ts";
import { json, jsonError, readJson } from "./respond.ts";
import type { SseStreams } from "./sse.ts";

/** Answers `/api/drivers/:id/…`, or undefined for another path. */
export async function driverRoute(
  req: Request,
  path: string,
  deps: { feed: DriverFeed; operations: Operations; streams: SseStreams },
): Promise<Response | undefined> {
  const m = /^\/api\/drivers\/([^/]+)\/(requests|events)$/.exec(path);
  if (!m) return undefined;
  const driverId = decodeURIComponent(m[1]);
  const problem = idProblem(driverId, "driver id");
  if (problem) return jsonError(400, problem);
  if (m[2] === "events" && req.method === "GET") {
    return await events(deps, driverId, req.signal);
  }
  if (m[2] === "requests" && req.method === "POST") {
    const body = await readJson(req) as { cp?: unknown } | undefined;
    if (!body || typeof body !== "object") return jsonError(400, "body is not readable JSON");
    const cpProblem = idProblem(body.cp, "cp");
    if (cpProblem) return jsonError(400, cpProblem);
    try {
      const requestId = await deps.operations.requestSupply(driverId, body.cp as string);
      return json({ requestId, driverId, cp: body.cp }, 202);
    } catch (e) {
      return jsonError(503, e instanceof Error ? e.message : String(e));
    }
  }
  return jsonError(405, `${req.method} not allowed on ${path}`);
}

async function events(
  deps: { feed: DriverFeed; streams: SseStreams },
  driverId: string,
  signal: AbortSignal,
): Promise<Response> {
  const feed = deps.feed;
  const queued: Array<Parameters<Parameters<DriverFeed["subscribe"]>[1]>[0]> = [];
  let deliver = (e: (typeof queued)[number]): void => {
    queued.push(e);
  };
  let stop: () => void;
  try {
    stop = await feed.subscribe(driverId, (e) => deliver(e));
  } catch (e) {
    return jsonError(503, `cannot follow the driver's notifications: ${(e as Error).message}`);
  }
  return deps.streams.response(signal, (send) => {
    deliver = (e) => send(e.type, e);
    for (const e of queued.splice(0)) deliver(e);
    return stop;
  });
}
