/**
 * Central, wired: database → core and shell → Monitor socket server → HTTP → Kafka side →
 * console. Returns when it is told to stop (QUIT, Ctrl+C, SIGTERM), after closing everything.
 *
 * @module
 */
import { openDatabase } from "./db/database.ts";
import { CpRepo } from "./db/cp_repo.ts";
import { SessionRepo } from "./db/session_repo.ts";
import { AuditRepo } from "./db/audit_repo.ts";
import { createState } from "./core/state.ts";
import { shownState } from "./core/cp.ts";
import type { CoreSettings } from "./core/state.ts";
import { Shell } from "./shell/shell.ts";
import { Views } from "./shell/views.ts";
import { Ownership } from "./shell/ownership.ts";
import { ProgressSaver } from "./shell/progress_saver.ts";
import { DbLanes } from "./db/lanes.ts";
import { AnswerTimer } from "./kafka/answer_timer.ts";
import { linksDatabase, shellDatabase } from "./db/database_ports.ts";
import { startClock } from "./shell/clock.ts";
import { startMonitorLinks } from "./socket/monitor_links.ts";
import { LinksChannel } from "./kafka/links_channel.ts";
import { DeadLetters } from "./kafka/dead_letters.ts";
import { TelemetryClock } from "./kafka/telemetry_clock.ts";
import { DriverFeed } from "./kafka/driver_feed.ts";
import { startKafkaSide } from "./kafka/kafka_side.ts";
import { Operations } from "./operations.ts";
import { createHandler } from "./http/api.ts";
import { startHttpServer } from "./http/server.ts";
import { SessionPages } from "./db/session_pages.ts";
import { renderCentral } from "./panel.ts";
import { operatorToken } from "./token.ts";
import { runLineCommand } from "./line_commands.ts";
import { CP_STATES } from "../shared/cp_view.ts";
import { CP_PARTITIONS, topicNames } from "../shared/topics.ts";
import { partitionOf } from "../shared/partition.ts";
import { createKafka, createProducer, probeBroker } from "../shared/kafka/client.ts";
import { Publisher } from "../shared/kafka/publisher.ts";
import { Metrics } from "../shared/metrics.ts";
import { createLogger, errorMessage } from "../shared/log.ts";
import { startConsole } from "../shared/terminal/console.ts";
import { LoopLag } from "../shared/loop_lag.ts";

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
  /** The core's timings (e.g. `reservationMs`). */
  settings?: Partial<CoreSettings>;
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
  const sql = db.sql;
  const cps = new CpRepo(db.sql);
  const sessions = new SessionRepo(db.sql);
  const audit = new AuditRepo(db.sql);
  const instance = `central-${o.port}-${crypto.randomUUID().slice(0, 6)}`;
  // how late this process is: its own lateness never passes for a Monitor's silence
  const lag = new LoopLag({ io: true });
  const lateTold = setInterval(() => {
    const late = lag.describe();
    if (late) log.warn(`Central is late: ${late}`);
  }, 5_000);
  const state = createState(instance, CP_PARTITIONS, o.settings);
  const metrics = new Metrics();
  const topics = topicNames(o.topicPrefix);
  const kafka = createKafka({ brokers: o.kafka, clientId: "ev-central", logSource: "kafka" });
  const producer = createProducer(kafka);
  // a producer whose sequences went wrong is replaced (see Batcher)
  const publisher = new Publisher(producer, topics, 0, {
    renew: () => createProducer(kafka),
    // the answers drivers wait for do not queue behind the network's relays
    urgent: { producer: createProducer(kafka), types: ["authorized", "denied"] },
  });
  const sent = metrics.counter("ev_kafka_sent_total", "records published, by type");
  const answerTimer = new AnswerTimer(metrics);
  const publish: Publisher["publish"] = (body, id) =>
    publisher.publish(body, id).then(() => {
      sent.inc({ type: body.type });
      if (body.type === "authorized" || body.type === "denied") {
        answerTimer.answered(body.requestId);
      }
    });
  const views = new Views(state, { publish });
  // the embedded database serves one statement at a time: two at once keep it busy, and a claim
  // waits for those two at most; a server has a few connections
  const lanes = new DbLanes(o.databaseUrl ? 8 : 2);
  const progress = new ProgressSaver(sessions, lanes);
  const outcomes = metrics.counter("ev_supplies_total", "supply requests and supplies, by outcome");
  let kafkaReady = false;

  // the shell's ports: the adapters its effects go out through
  const links: LinksChannel = new LinksChannel({
    kafka,
    topics,
    topicPrefix: o.topicPrefix,
    instance,
    publisher,
    dispatch: (i) => shell.dispatch(i),
    held: () => monitors.held(),
    sendOrder: (cpId, linkId, order) => monitors.sendOrder(cpId, linkId, order),
  });
  const shell: Shell = new Shell(state, {
    ...shellDatabase(sessions, cps, lanes),
    publish,
    orderMonitor: (cpId, holder, linkId, order) => links.orderMonitor(cpId, holder, linkId, order),
    saveProgress: (id, f) => progress.save(id, f),
    viewChanged: (id, figures) => views.changed(id, figures),
    viewForgotten: (id) => {
      views.forgotten(id);
      monitors.let(id);
    },
    message: (text, level) => {
      views.message(text, level);
      log[level](text);
    },
    count: (outcome) => outcomes.inc({ outcome }),
  });
  metrics.gauge("ev_cps", "CPs by state", () => {
    const counts = new Map(CP_STATES.map((s) => [s, 0]));
    for (const v of views.list()) counts.set(v.state, counts.get(v.state)! + 1);
    return [...counts].map(([s, n]) => [{ state: s }, n]);
  });
  metrics.gauge("ev_loop_lag_ms", "how late this Central's event loop is, over 5 s", () => {
    const f = lag.figures();
    return [[{ stat: "now" }, f.nowMs], [{ stat: "p99" }, f.p99Ms], [{ stat: "max" }, f.maxMs]];
  });
  metrics.gauge(
    "ev_db_waiting",
    "database statements waiting for their turn, by lane",
    () => Object.entries(lanes.waiting()).map(([lane, n]) => [{ lane }, n]),
  );
  metrics.gauge("ev_owned_partitions", "partitions of the CP topics this instance owns", () => [[
    {},
    ownership.owned.size,
  ]]);

  const known = await cps.list();
  await shell.dispatch({ type: "catalog", cps: known });
  const monitors = startMonitorLinks({
    hostname: o.listen,
    port: o.port,
    instance,
    ...linksDatabase(cps, audit, lanes),
    metrics,
    tell: (fact) => links.tell(fact),
    quietSince: (since) => lag.onTimeMs(since),
    stateOf: (id) => {
      const cp = state.cps.get(id);
      return cp ? shownState(cp) : "unknown";
    },
    message: (text, level) => {
      views.message(text, level);
      log[level](text);
    },
  });
  const ownership: Ownership = new Ownership({
    load: async (partitions) => {
      const wanted = new Set(partitions);
      const mine = (id: string) => wanted.has(partitionOf(id, CP_PARTITIONS));
      const [rows, live] = await Promise.all([cps.list(), sessions.live()]);
      return { cps: rows.filter((r) => mine(r.id)), sessions: live.filter((s) => mine(s.cpId)) };
    },
    dispatch: (i) => shell.dispatch(i),
    beforeLoss: () => progress.flush(),
    afterGain: () => clock.sweep(),
  });
  const telemetryClock = new TelemetryClock();
  const clock = startClock({ shell, sessions, telemetryAt: () => telemetryClock.at() });
  const deadLetters = new DeadLetters(publisher, instance, metrics);
  const kafkaSide = startKafkaSide({
    brokers: o.kafka,
    kafka,
    publisher,
    topics,
    topicPrefix: o.topicPrefix,
    instance,
    links,
    ownership,
    deadLetters,
    telemetryClock,
    answerTimer,
    sessions,
    db: lanes,
    metrics,
    dispatch: (i) => shell.dispatch(i),
    remoteMessages: (m) => views.remoteMessages(m),
    ready: () => {
      kafkaReady = true;
      views.start();
      progress.start();
      shell.dispatch({ type: "tick", telemetryAt: 0 }).catch(() => {});
      views.message(`connected to Kafka at ${o.kafka} (instance ${instance})`, "info");
      log.info(`connected to Kafka at ${o.kafka} as ${instance}`);
    },
  });

  const operations = new Operations({
    shell,
    views,
    cps,
    audit,
    publish,
    kafkaConnected: () => publisher.connected,
  });
  const readiness = async (): Promise<string[]> => {
    const problems: string[] = [];
    if (!kafkaReady) problems.push(`Kafka at ${o.kafka} not connected yet`);
    else if (!await probeBroker(o.kafka, 2_000)) {
      problems.push(`Kafka at ${o.kafka} does not answer`);
    }
    const db = await Promise.race([
      sql`select 1`.then(() => ""),
      new Promise<string>((r) => setTimeout(() => r("the database does not answer"), 2_000)),
    ]).catch((e) => `the database: ${errorMessage(e)}`);
    if (db) problems.push(db);
    return problems;
  };
  const feed = new DriverFeed({ kafka, topics, topicPrefix: o.topicPrefix, instance });
  const { token, generated } = await operatorToken(o.token, o.dataDir);
  const http = startHttpServer(
    {
      hostname: o.listen,
      port: o.httpPort,
      metrics,
      onError: (e) => new Response(JSON.stringify({ error: errorMessage(e) }), { status: 500 }),
    },
    createHandler({
      operations,
      views,
      sessions,
      audit,
      metrics,
      token,
      feed,
      readiness,
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
  views.message(`Central started: ${known.length} CPs known`, "info");

  const console = startConsole({
    panel: o.panel,
    render: (width, rows, logTail) => renderCentral(views, width, rows, logTail, lag.describe()),
    onCommand: (line) =>
      runLineCommand(line, { operations, message: (t) => views.message(t, "warn") }),
    hint: "EV_Central",
  });
  if (console.panel) views.subscribe(() => console.redraw());

  const done = console.stopped.then(async (why) => {
    console.close();
    log.info(`stopping (${why})…`);
    clock.close();
    views.close();
    await kafkaSide.close();
    await monitors.close();
    shell.close();
    await progress.close();
    await publisher.close();
    await feed.close();
    await http.shutdown().catch(() => {});
    await db.close();
    clearInterval(lateTold);
    lag.close();
    return why;
  });
  return { done };
}
