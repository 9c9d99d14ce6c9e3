/**
 * Central's command line (BRIEF §1): settings, positional form `<port> <broker> [db]`, and the
 * `enroll` / `remove` commands.
 *
 * @module
 */
import type { ProgramSpec } from "../shared/config.ts";
import { DATA_DIR, KAFKA, NO_PANEL, TOPIC_PREFIX } from "../shared/settings.ts";
import { CENTRAL_ALIASES } from "../shared/aliases.ts";

/** Central's settings. */
export const CENTRAL_SPEC = {
  usage:
    "deno task central [options]   |   deno task central -- enroll <id> --location L --price P",
  summary: "EV_Central: governs the charging network — CP registration and states, supply " +
    "authorization, telemetry, tickets, operator orders, dashboard and HTTP API.",
  settings: {
    port: {
      env: "EV_CENTRAL_PORT",
      default: "7000",
      help: "socket port for CP Monitors",
      placeholder: "PORT",
    },
    http: {
      env: "EV_HTTP_PORT",
      default: "8080",
      help: "HTTP port (dashboard, API)",
      placeholder: "PORT",
    },
    listen: {
      env: "EV_LISTEN",
      default: "0.0.0.0",
      help: "address the servers listen on",
      placeholder: "HOST",
    },
    kafka: KAFKA,
    db: {
      env: "DATABASE_URL",
      help: "PostgreSQL URL (none: embedded database in --data-dir)",
      placeholder: "URL",
    },
    token: {
      env: "EV_OPERATOR_TOKEN",
      help: "operator token for HTTP actions (none: generated, printed)",
      placeholder: "TOKEN",
    },
    "reservation-timeout": {
      env: "EV_RESERVATION_TIMEOUT",
      default: "60",
      help: "seconds an authorized CP waits for the car before it is released",
      placeholder: "S",
    },
    "data-dir": DATA_DIR,
    "topic-prefix": TOPIC_PREFIX,
    "no-panel": NO_PANEL,
    location: { help: "enroll: where the CP is", placeholder: "TEXT" },
    price: { help: "enroll: price per kWh in euros", default: "0.30", placeholder: "EUR" },
    secret: { help: "enroll: the CP's secret (none: generated)", placeholder: "SECRET" },
  },
  positional: ["port", "kafka", "db"],
  aliases: CENTRAL_ALIASES,
  commands: {
    "enroll <id>": "enroll a CP (prints its secret) and exit",
    "remove <id>": "remove an enrolled CP and exit",
  },
  notes: [
    "Line commands (typed in the panel, or on stdin): STOP <cp>, RESUME <cp>, STOP ALL, RESUME ALL, QUIT",
    "Example: deno task central --port 7000 --http 8080 --kafka 192.168.1.10:9092",
  ],
} satisfies ProgramSpec<string>;
