/**
 * Central's ports, checked before anything else starts (before the database is opened): a busy
 * port is one clear line naming the port and its setting.
 *
 * @module
 */
import { checkPortsFree } from "../shared/ports.ts";

/** Where Central will listen. */
export interface CentralPorts {
  listen: string;
  /** Socket port for Monitors. */
  port: number;
  /** HTTP port (dashboard, API). */
  httpPort: number;
}

/** Throws a `ConfigError` naming the port and its setting when one of Central's ports is taken. */
export function checkCentralPorts(p: CentralPorts): void {
  const hostSetting = "--listen / EV_LISTEN";
  checkPortsFree([
    {
      hostname: p.listen,
      port: p.port,
      what: "Central's socket port for Monitors",
      setting: "--port / EV_CENTRAL_PORT",
      hostSetting,
    },
    {
      hostname: p.listen,
      port: p.httpPort,
      what: "Central's HTTP port",
      setting: "--http / EV_HTTP_PORT",
      hostSetting,
    },
  ]);
}
