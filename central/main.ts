/**
 * EV_Central: `deno task central`. Opens the database, loads the network, serves CP Monitors on
 * a socket, the dashboard and API over HTTP, handles supplies over Kafka, and takes operator
 * line commands. See `--help`.
 *
 * @module
 */
import { loadConfig, parseNumber, parsePort, runMain } from "../shared/config.ts";
import { createLogger } from "../shared/log.ts";
import { CENTRAL_SPEC } from "./settings.ts";
import { RANGES } from "../shared/settings.ts";
import { enrollCommand } from "./enroll_command.ts";
import { startCentral } from "./app.ts";
import { checkCentralPorts } from "./ports.ts";

const log = createLogger("central");

runMain(async () => {
  const cfg = loadConfig(CENTRAL_SPEC);
  if (cfg.command) return await enrollCommand(cfg);
  const v = cfg.values;
  for (const notice of cfg.notices) log.warn(notice);
  const ports = {
    listen: v.listen!,
    port: parsePort(v.port!, "port"),
    httpPort: parsePort(v.http!, "http"),
  };
  checkCentralPorts(ports);
  const central = await startCentral({
    ...ports,
    kafka: v.kafka!,
    topicPrefix: v["topic-prefix"]!,
    databaseUrl: v.db,
    dataDir: v["data-dir"]!,
    token: v.token,
    panel: !cfg.flags["no-panel"],
    settings: {
      reservationMs: parseNumber(
        v["reservation-timeout"]!,
        "reservation-timeout",
        RANGES.reservationSeconds,
      ) * 1000,
    },
  });
  const signal = await central.done;
  log.info(`stopped (${signal})`);
  return 0;
});
