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
  requiredId,
  runMain,
} from "../../shared/config.ts";
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
import { renderEngine } from "./panel.ts";
import { connectUplink } from "./uplink.ts";

const log = createLogger("engine");

const SPEC = {
  usage: "deno task engine --id CP1 [--port 7100] [--kafka HOST:PORT]",
  summary: "EV_CP_E: a charging point's engine (simulated hardware). Answers its Monitor's " +
    "health checks, supplies energy when Central authorizes and a car is plugged in.",
  settings: {
    id: CP_ID,
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
  positional: ["kafka", "address"],
  notes: [
    "Line commands (typed in the panel, or one per line on stdin): F/FAIL, R/RECOVER,",
    "I/PLUG (car plugged in), E/UNPLUG, REQUEST <driver id>",
  ],
} satisfies ProgramSpec<string>;

runMain(async () => {
  const cfg = loadConfig(SPEC);
  const v = cfg.values;
  const id = requiredId(cfg, SPEC, "id");
  const { hostname, port } = v.address
    ? parseHostPort(v.address, "address")
    : { hostname: v.host!, port: parsePort(v.port!, "port") };
  const optional = (name: string, range: NumberRange) =>
    v[name] === undefined ? undefined : parseNumber(v[name]!, name, range);
  const dataDir = v["data-dir"]!;
  await Deno.mkdir(dataDir, { recursive: true });

  const engine = new Engine({
    id,
    maxKw: parseNumber(v["max-kw"]!, "max-kw", RANGES.kw),
    location: v.location,
    pricePerKwh: optional("price", RANGES.price),
    stateFile: `${dataDir}/engine-${id}.json`,
    autoPlug: optional("auto-plug", RANGES.seconds),
    autoUnplug: optional("auto-unplug", RANGES.seconds),
  });
  let listener: Deno.Listener<Deno.TcpConn>;
  try {
    listener = Deno.listen({ hostname, port });
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) {
      throw new ConfigError(`port ${port} is in use (give another with --port)`);
    }
    throw e;
  }
  const uplink = connectUplink(engine, {
    brokers: v.kafka!,
    topicPrefix: v["topic-prefix"]!,
  });
  await engine.start();
  const server = serveMonitors(listener, engine);
  log.info(`engine ${id} listening for its Monitor on ${hostname}:${port}`);

  const console = startConsole({
    panel: !cfg.flags["no-panel"],
    render: (width, _rows, logTail) => renderEngine(engine, width, logTail),
    onCommand: (line) => void engine.command(line),
    hint: `EV_CP_E ${id}`,
  });
  engine.onChange(() => console.redraw());
  const why = await console.stopped;
  console.close();
  engine.stop();
  await server.close();
  await uplink.close();
  log.info(`stopped (${why})`);
});
