/**
 * Central, wired: database → network → CP socket server → HTTP → Kafka supply handling →
 * console. Returns when it is told to stop (QUIT, Ctrl+C, SIGTERM), after closing everything.
 *
 * @module
 */
import { openDatabase } from "./db/database.ts";
import { CpRepo } from "./db/cp_repo.ts";
import { SessionRepo } from "./db/session_repo.ts";
import { AuditRepo } from "./db/audit_repo.ts";
import { Network } from "./network.ts";
import { Operator } from "./operator.ts";
import { startCpServer } from "./cp_server.ts";
import { Supplies } from "./supplies.ts";
import { KafkaLink } from "./kafka_link.ts";
import { DriverBus } from "./driver_bus.ts";
import { createHandler } from "./http/api.ts";
import { startHttpServer } from "./http/server.ts";
import { SessionPages } from "./db/session_pages.ts";
import { renderCentral } from "./panel.ts";
import { operatorToken } from "./token.ts";
import { runLineCommand } from "./line_commands.ts";
import { stateOf } from "./core/cp.ts";
import { CP_STATES } from "./core/cp.ts";
import { Metrics } from "../shared/metrics.ts";
import { createLogger, errorMessage } from "../shared/log.ts";
import { startConsole } from "../shared/terminal/console.ts";

const log = createLogger("central");

/** How Central is started. */
export interface CentralOptions {
  listen: string;
  port: number;
  httpPort: number;
  kafka: string;
  topicPrefix: string;
  databaseUrl?: string;
  dataDir: string;
  token?: string;
  panel: boolean;
  /** Seconds a reservation waits for the car. */
  reservationTimeout: number;
}

/** A running Central. */
export interface RunningCentral {
  /** Resolves with what stopped it, once everything is closed. */
  done: Promise<string>;
}

/** Starts Central. */
export async function startCentral(o: CentralOptions): Promise<RunningCentral> {
  log.info(
    o.databaseUrl
      ? "connecting to the database…"
      : `opening the embedded database in ${o.dataDir} (the first start takes a few seconds)…`,
  );
  const db = await openDatabase({ url: o.databaseUrl, dataDir: o.dataDir });
  log.info(`database: ${db.where}`);
  const cps = new CpRepo(db.sql);
  const sessions = new SessionRepo(db.sql);
  const audit = new AuditRepo(db.sql);
  const network = new Network(cps);
  await network.load();
  const metrics = new Metrics();
  metrics.gauge("ev_cps", "CPs by state", () => {
    const counts = new Map(CP_STATES.map((s) => [s, 0]));
    for (const cp of network.list()) counts.set(stateOf(cp), counts.get(stateOf(cp))! + 1);
    return [...counts].map(([state, n]) => [{ state }, n]);
  });

  const kafka = new KafkaLink({ brokers: o.kafka, topicPrefix: o.topicPrefix, network, metrics });
  const drivers = new DriverBus();
  const supplies = new Supplies(network, sessions, drivers.wrap(kafka), metrics, {
    reservationTimeoutMs: o.reservationTimeout * 1000,
  });
  const kafkaStarted = kafka.start(supplies);
  const cpServer = startCpServer({
    hostname: o.listen,
    port: o.port,
    network,
    cps,
    audit,
    metrics,
  });
  const operator = new Operator(network, cpServer.sendOrder, audit);
  const { token, generated } = await operatorToken(o.token, o.dataDir);
  const http = startHttpServer(
    {
      hostname: o.listen,
      port: o.httpPort,
      metrics,
      onError: (e) => new Response(JSON.stringify({ error: errorMessage(e) }), { status: 500 }),
    },
    createHandler({
      network,
      operator,
      cps,
      sessions,
      audit,
      metrics,
      token,
      drivers,
      kafka,
      sessionPages: new SessionPages(db.sql),
    }),
  );

  const shown = o.listen === "0.0.0.0" ? "127.0.0.1" : o.listen;
  log.info(`CP socket server on ${o.listen}:${o.port}`);
  log.info(`dashboard: http://${shown}:${o.httpPort}/`);
  log.info(
    generated
      ? `operator token (generated, kept in ${o.dataDir}): ${token}`
      : "operator token: as given",
  );
  network.message(`Central started: ${network.list().length} CPs known`);

  const console = startConsole({
    panel: o.panel,
    render: (width, rows, logTail) => renderCentral(network, width, rows, logTail),
    onCommand: (line) => runLineCommand(line, { operator, network }),
    hint: "EV_Central",
  });
  network.subscribe(() => console.redraw());

  const done = console.stopped.then(async (why) => {
    console.close();
    log.info(`stopping (${why})…`);
    supplies.close();
    await cpServer.close();
    await kafka.close();
    await kafkaStarted;
    await http.shutdown().catch(() => {});
    await network.flushed();
    await db.close();
    return why;
  });
  return { done };
}
