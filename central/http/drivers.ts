/**
 * The driver's side of the HTTP API, for the driver's web page: ask for a charge, follow one's
 * own notifications (SSE), see one's tickets. A driver acts only as itself: the id in the path.
 *
 * @module
 */
import type { DriverBus } from "../driver_bus.ts";
import type { KafkaLink } from "../kafka_link.ts";
import { idProblem } from "../../shared/ids.ts";
import { json, jsonError, readJson } from "./respond.ts";
import type { SseStreams } from "./sse.ts";

/** Answers `/api/drivers/:id/…`, or undefined for another path. */
export async function driverRoute(
  req: Request,
  path: string,
  deps: { drivers: DriverBus; kafka: KafkaLink; streams: SseStreams },
): Promise<Response | undefined> {
  const m = /^\/api\/drivers\/([^/]+)\/(requests|events)$/.exec(path);
  if (!m) return undefined;
  const driverId = decodeURIComponent(m[1]);
  const problem = idProblem(driverId, "driver id");
  if (problem) return jsonError(400, problem);
  if (m[2] === "events" && req.method === "GET") return events(deps, driverId, req.signal);
  if (m[2] === "requests" && req.method === "POST") {
    const body = await readJson(req) as { cp?: unknown } | undefined;
    if (!body || typeof body !== "object") return jsonError(400, "body is not readable JSON");
    const cpProblem = idProblem(body.cp, "cp");
    if (cpProblem) return jsonError(400, cpProblem);
    try {
      const requestId = await deps.kafka.requestSupply(driverId, body.cp as string);
      return json({ requestId, driverId, cp: body.cp }, 202);
    } catch (e) {
      return jsonError(503, e instanceof Error ? e.message : String(e));
    }
  }
  return jsonError(405, `${req.method} not allowed on ${path}`);
}

function events(
  deps: { drivers: DriverBus; streams: SseStreams },
  driverId: string,
  signal: AbortSignal,
): Response {
  return deps.streams.response(
    signal,
    (send) => deps.drivers.subscribe(driverId, (e) => send(e.type, e)),
  );
}
