/**
 * Listening on a configured port, with a failure a person can act on: which port, which setting
 * gives it, and what is wrong ("in use by another program", "not an address of this machine").
 *
 * @module
 */
import { ConfigError } from "./config.ts";

/** A port a program listens on, and how the user sets it. */
export interface ListenSpec {
  /** Address to listen on (`0.0.0.0`: every interface). */
  hostname: string;
  port: number;
  /** What it is, for the message (`Central's socket port for Monitors`). */
  what: string;
  /** How it is set (`--port / EV_CENTRAL_PORT`). */
  setting: string;
  /** How its host is set, when it can be (`--listen / EV_LISTEN`). */
  hostSetting?: string;
}

/**
 * Listens on `spec`'s port, or throws a {@link ConfigError} naming the port and its setting.
 *
 * @example
 * ```ts ignore
 * import { listenOn } from "./ports.ts";
 * const listener = listenOn({
 *   hostname: "0.0.0.0",
 *   port: 7100,
 *   what: "the Engine's port for its Monitor",
 *   setting: "--port / EV_ENGINE_PORT",
 * });
 * ```
 */
export function listenOn(spec: ListenSpec): Deno.TcpListener {
  try {
    return Deno.listen({ hostname: spec.hostname, port: spec.port });
  } catch (e) {
    throw new ConfigError(listenProblem(spec, e));
  }
}

/** Throws a {@link ConfigError} naming the port and its setting unless each of `specs` is free. */
export function checkPortsFree(specs: ListenSpec[]): void {
  for (const spec of specs) listenOn(spec).close();
}

/** One line saying why `spec` could not be listened on. */
export function listenProblem(spec: ListenSpec, error: unknown): string {
  const where = `${spec.what}, ${spec.setting}`;
  if (error instanceof Deno.errors.AddrInUse) {
    return `port ${spec.port} (${where}) is in use by another program: ` +
      "stop it, or give another port";
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return `cannot listen on ${spec.hostname}:${spec.port} (${where}): ${spec.hostname} is not ` +
      `an address of this machine${spec.hostSetting ? ` (${spec.hostSetting})` : ""}`;
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return `port ${spec.port} (${where}) needs privileges here: give a port above 1023`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `cannot listen on ${spec.hostname}:${spec.port} (${where}): ${message}`;
}
