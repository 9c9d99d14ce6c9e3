/**
 * EV_CP_E: `deno task engine`. The CP's hardware, simulated: serves its Monitor's health checks,
 * supplies energy when authorized and plugged in, sends telemetry every second. See `--help`.
 *
 * @module
 */
import {
  ConfigError,
  loadConfig,
  type NumberRange,
  parseHostPort,
  parseNumber,
  parsePort,
  type ProgramSpec,
  runMain,
} from "../../shared/config.ts";
import { idProblem } from "../../shared/ids.ts";
import { ENGINE_ALIASES } from "../../shared/aliases.ts";
import { listenOn } from "../../shared/ports.ts";
import { onShutdown } from "../../shared/shutdown.ts";
import {
  CP_ID,
  DATA_DIR,
  KAFKA,
  LOCATION,
  NO_PANEL,
  PRICE,
  RANGES,
  TOPIC_PREFIX,
} from "../../shared/settings.ts";
import { createLogger } from "../../shared/log.ts";
import { startConsole } from "../../shared/terminal/console.ts";
import { Engine } from "./engine.ts";
import { serveMonitors } from "./monitor_server.ts";
import { EngineIdentity } from "./identity.ts";
import { renderEngine } from "./panel.ts";
import { connectUplink } from "./uplink.ts";
import { LoopLag, reportLag } from "../../shared/loop_lag.ts";

const log = createLogger("engine");

const SPEC = {
  usage: "deno task engine [--id CP1] [--port 7100] [--kafka HOST:PORT]",
  summary: "EV_CP_E: a charging point's engine (simulated hardware). Answers its Monitor's " +
    "health checks, supplies energy when Central authorizes and a car is plugged in.",
  settings: {
    id: { ...CP_ID, help: "charging point id (none: learnt from its Monitor)" },
    port: {
      env: "EV_ENGINE_PORT",
      default: "7100",
      help: "socket port for its Monitor",
      placeholder: "PORT",
    },
    host: {
      env: "EV_ENGINE_HOST",
      default: "0.0.0.0",
      help: "address to listen on",
      placeholder: "HOST",
    },
    address: {
      help: "HOST:PORT to listen on (the original positional form)",
      placeholder: "HOST:PORT",
    },
    kafka: KAFKA,
    "topic-prefix": TOPIC_PREFIX,
    location: LOCATION,
    price: PRICE,
    "max-kw": {
      env: "EV_CP_MAX_KW",
      default: "22",
      help: "largest power it delivers, kW",
      placeholder: "KW",
    },
    "auto-plug": { help: "plug in this many seconds after an authorization", placeholder: "S" },
    "auto-unplug": { help: "unplug after this many seconds of supply", placeholder: "S" },
    "data-dir": DATA_DIR,
    "no-panel": NO_PANEL,
  },
  positional: ["kafka", "address", "id"],
  positionalForms: [{
    names: ["port", "kafka", "id"],
    test: ([first]) => /^\d+$/.test(first ?? ""),
    usage: "<port> <kafka> <id>",
  }],
  aliases: ENGINE_ALIASES,
  notes: [
    "Line commands (typed in the panel, or one per line on stdin): F/FAIL, R/RECOVER,",
    "I/PLUG (car plugged in), E/UNPLUG, REQUEST <driver id>; the original INIT, END and K too.",
    "Without an id, the Engine learns it from its Monitor when they first connect.",
  ],
} satisfies ProgramSpec<string>;

runMain(async () => {
  const cfg = loadConfig(SPEC);
  const v = cfg.values;
  const problem = v.id === undefined ? undefined : idProblem(v.id, "--id");
  if (problem) throw new ConfigError(problem);
  const { hostname, port } = v.address
    ? parseHostPort(v.address, "address")
    : { hostname: v.host!, port: parsePort(v.port!, "port") };
  const optional = (name: string, range: NumberRange) =>
    v[name] === undefined ? undefined : parseNumber(v[name]!, name, range);
  const maxKw = parseNumber(v["max-kw"]!, "max-kw", RANGES.kw);
  const dataDir = v["data-dir"]!;
  const listener = listenOn({
    hostname,
    port,
    what: "the Engine's port for its Monitor",
    setting: v.address ? "the positional <host:port>" : "--port / EV_ENGINE_PORT",
    hostSetting: "--host / EV_ENGINE_HOST",
  });

  // An Engine without an id serves its Monitor at once (KO) and learns the id from its IDENT.
  const identity = new EngineIdentity(v.id);
  const up: { engine?: Engine } = {};
  const lag = new LoopLag({ io: true });
  const stopReporting = reportLag(lag, (text) => log.warn(text));
  const server = serveMonitors(listener, { engine: () => up.engine, identity, lag });
  const id = identity.id ?? await learnId(identity, `${hostname}:${port}`);
  if (id === undefined) {
    await server.close();
    stopReporting();
    lag.close();
    return 130;
  }
  await Deno.mkdir(dataDir, { recursive: true });
  const ready = new Engine({
    id,
    maxKw,
    location: v.location,
    pricePerKwh: optional("price", RANGES.price),
    stateFile: `${dataDir}/engine-${id}.json`,
    autoPlug: optional("auto-plug", RANGES.seconds),
    autoUnplug: optional("auto-unplug", RANGES.seconds),
  });
  const uplink = connectUplink(ready, {
    brokers: v.kafka!,
    topicPrefix: v["topic-prefix"]!,
  });
  await ready.start();
  up.engine = ready;
  log.info(`engine ${id} listening for its Monitor on ${hostname}:${port}`);

  const console = startConsole({
    panel: !cfg.flags["no-panel"],
    render: (width, _rows, logTail) => renderEngine(ready, width, logTail, lag),
    onCommand: (line) => void ready.command(line),
    hint: `EV_CP_E ${id}`,
  });
  ready.onChange(() => console.redraw());
  const why = await console.stopped;
  console.close();
  ready.stop();
  await server.close();
  await uplink.close();
  stopReporting();
  lag.close();
  log.info(`stopped (${why})`);
  return 0;
});

/** Waits for the Monitor's IDENT; undefined when the program is stopped first (Ctrl+C, SIGTERM). */
async function learnId(identity: EngineIdentity, where: string): Promise<string | undefined> {
  log.info(`no CP id given: waiting on ${where} for its Monitor to say which CP this is`);
  let stop: () => void = () => {};
  const stopped = new Promise<undefined>((resolve) => (stop = () => resolve(undefined)));
  const off = onShutdown(stop);
  try {
    const id = await Promise.race([identity.known, stopped]);
    if (id) log.info(`its Monitor says this is CP ${id}`);
    return id;
  } finally {
    off();
  }
}
