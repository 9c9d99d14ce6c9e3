/**
 * EV_CP_M: `deno task monitor`. Authenticates its CP with Central, checks its Engine every
 * second, reports faults and recoveries, relays Central's orders. See `--help`.
 *
 * @module
 */
import {
  loadConfig,
  parseHostPort,
  parseHostPorts,
  parseNumber,
  type ProgramSpec,
  required,
  requiredId,
  runMain,
} from "../../shared/config.ts";
import { CENTRAL, CP_ID, LOCATION, NO_PANEL, PRICE, RANGES } from "../../shared/settings.ts";
import { MONITOR_ALIASES } from "../../shared/aliases.ts";
import { startConsole } from "../../shared/terminal/console.ts";
import { createLogger } from "../../shared/log.ts";
import { LoopLag, reportLag } from "../../shared/loop_lag.ts";
import { Monitor } from "./monitor.ts";
import { renderMonitor } from "./panel.ts";

const log = createLogger("monitor");

const SPEC = {
  usage:
    "deno task monitor --id CP1 --secret S [--engine HOST:PORT] [--central HOST:PORT[,HOST:PORT…]]",
  summary: "EV_CP_M: a charging point's monitor. Authenticates the CP with Central, checks its " +
    "Engine every second, reports faults and recoveries, relays Central's orders.",
  settings: {
    id: CP_ID,
    secret: {
      env: "EV_CP_SECRET",
      help: "the CP's secret (given at enrolment)",
      placeholder: "SECRET",
    },
    engine: {
      env: "EV_ENGINE",
      default: "127.0.0.1:7100",
      help: "where its Engine is",
      placeholder: "HOST:PORT",
    },
    central: CENTRAL,
    location: LOCATION,
    price: PRICE,
    "no-panel": NO_PANEL,
  },
  positional: ["engine", "central", "id"],
  aliases: MONITOR_ALIASES,
} satisfies ProgramSpec<string>;

runMain(async () => {
  const cfg = loadConfig(SPEC);
  const v = cfg.values;
  for (const notice of cfg.notices) log.warn(notice);
  const id = requiredId(cfg, SPEC, "id");
  const lag = new LoopLag({ io: true });
  const stopReporting = reportLag(lag, (text) => log.warn(text));
  const monitor = new Monitor({
    lag,
    id,
    secret: required(cfg, SPEC, "secret"),
    location: v.location ?? "",
    pricePerKwh: v.price === undefined ? undefined : parseNumber(v.price, "price", RANGES.price),
    engine: parseHostPort(v.engine!, "engine"),
    central: parseHostPorts(v.central!, "central"),
  });
  monitor.start();
  const console = startConsole({
    panel: !cfg.flags["no-panel"],
    render: (width, _rows, logTail) => renderMonitor(monitor, width, logTail),
    onCommand: (line) => log.warn(`unknown command '${line}' (QUIT to stop)`),
    hint: `EV_CP_M ${id}`,
  });
  monitor.onChange(() => console.redraw());
  const why = await console.stopped;
  console.close();
  await monitor.stop();
  stopReporting();
  lag.close();
  log.info(`stopped (${why})`);
});
