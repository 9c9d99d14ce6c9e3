/**
 * EV_Driver: `deno task driver`. Requests a charge at a CP (`--cp`), or at each CP of a file
 * (`--file`, 4 s between them), and shows authorization, live consumption and the ticket; with
 * neither, an interactive panel of the network. See `--help`.
 *
 * @module
 */
import {
  ConfigError,
  loadConfig,
  parseNumber,
  type ProgramSpec,
  requiredId,
  runMain,
} from "../shared/config.ts";
import { KAFKA, NO_PANEL, RANGES, TOPIC_PREFIX } from "../shared/settings.ts";
import { DRIVER_ALIASES } from "../shared/aliases.ts";
import { idProblem } from "../shared/ids.ts";
import { createLogger, errorMessage } from "../shared/log.ts";
import { holdWhileStopping, onShutdown } from "../shared/shutdown.ts";
import { sleep, tellIfSlow } from "../shared/backoff.ts";
import { Driver, type Outcome } from "./driver.ts";
import { jsonOutput, textOutput } from "./output.ts";
import { readRequestFile } from "./request_file.ts";
import { runInteractive } from "./interactive.ts";

const log = createLogger("driver");

/** Seconds between two requests of a file (BRIEF §3). */
const FILE_PAUSE_S = 4;

const SPEC = {
  usage: "deno task driver --id D1 (--cp CP1 | --file requests.txt) [--json]",
  summary: "EV_Driver: a driver's app. Requests a charge at a CP and shows its authorization, " +
    "live consumption and ticket, and the network's CPs.",
  settings: {
    id: { env: "EV_DRIVER_ID", help: "driver id", placeholder: "ID" },
    cp: { help: "request a charge at this CP, then exit", placeholder: "CP" },
    file: { help: "a file of CP ids, one per line, served one after another", placeholder: "FILE" },
    json: { boolean: true, help: "one JSON object per line for every event" },
    timeout: {
      default: "120",
      help: "seconds without any answer before giving up",
      placeholder: "S",
    },
    kafka: KAFKA,
    "topic-prefix": TOPIC_PREFIX,
    "no-panel": NO_PANEL,
  },
  positional: ["kafka", "id"],
  aliases: DRIVER_ALIASES,
  notes: [
    "Exit codes with --cp: 0 ticket, 2 denied, 1 error or timeout. With --file: 0 when every line got an outcome.",
    "Interactive (neither --cp nor --file): type a CP id to request a charge there, QUIT to stop.",
  ],
} satisfies ProgramSpec<string>;

runMain(async () => {
  const cfg = loadConfig(SPEC);
  const v = cfg.values;
  const id = requiredId(cfg, SPEC, "id");
  if (v.cp && v.file) throw new ConfigError("give --cp or --file, not both");
  if (v.cp) {
    const cpProblem = idProblem(v.cp, "--cp");
    if (cpProblem) throw new ConfigError(cpProblem);
  }
  const cps = v.cp ? [v.cp] : v.file ? await readRequestFile(v.file) : undefined;
  const timeoutMs = parseNumber(v.timeout!, "timeout", RANGES.seconds) * 1000;
  const json = cfg.flags.json;
  const emit = json ? jsonOutput(id) : textOutput(id);
  const driver = new Driver({
    id,
    brokers: v.kafka!,
    topicPrefix: v["topic-prefix"]!,
    emit,
    showNetwork: json || !cps,
  });

  let interrupted: (why: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => (interrupted = resolve));
  const offSignals = onShutdown(interrupted);
  try {
    // a connect retries for as long as no broker answers: said after a while, and with a
    // request to answer given up after --timeout, as any other silence
    const waited = new AbortController();
    const connecting = tellIfSlow(
      driver.connect().then(() => "connected" as const),
      () => log.warn(`waiting for Kafka at ${v.kafka}: no answer yet (still trying)`),
    );
    connecting.catch(() => {}); // its failure, if it comes after a stop or a timeout, is nobody's
    const connected = await Promise.race([
      connecting,
      stopped.then(() => "stopped" as const),
      ...(cps ? [sleep(timeoutMs, waited.signal).then(() => "timeout" as const)] : []),
    ]).finally(() => waited.abort());
    if (connected === "stopped") return 130;
    if (connected === "timeout") {
      emit({
        type: "error",
        ...(v.cp ? { cp: v.cp } : {}),
        message: `no answer from Kafka at ${v.kafka} within ${timeoutMs / 1000} s`,
      });
      return 1;
    }
    if (!cps) {
      return await runInteractive(driver, { panel: !cfg.flags["no-panel"] && !json, stopped });
    }
    const outcomes: Outcome[] = [];
    for (const [i, cp] of cps.entries()) {
      if (i > 0) await Promise.race([sleep(FILE_PAUSE_S * 1000), stopped]);
      const outcome = await Promise.race([
        follow(driver, cp, timeoutMs),
        stopped.then(() => undefined),
      ]);
      if (!outcome) return 130;
      outcomes.push(outcome);
    }
    if (v.cp) return outcomes[0] === "ticket" ? 0 : outcomes[0] === "denied" ? 2 : 1;
    return outcomes.every((o) => o !== "error") ? 0 : 1;
  } finally {
    offSignals();
    holdWhileStopping();
    await driver.close().catch((e) => log.warn(errorMessage(e)));
  }
});

/** One request, waited for; says so while Central cannot be reached, gives up after `timeoutMs` of silence. */
async function follow(driver: Driver, cp: string, timeoutMs: number): Promise<Outcome> {
  const problem = idProblem(cp, "CP id");
  if (problem) {
    driver.o.emit({ type: "error", cp, message: problem });
    return "error";
  }
  let warned = false;
  const watch = setInterval(() => {
    if (!driver.centralReachable && !warned) {
      warned = true;
      log.warn(
        "cannot reach Central: still waiting (the request is kept and answered when it is back)",
      );
    } else if (driver.centralReachable) warned = false;
    if (driver.silentFor > timeoutMs) {
      driver.abandon(`no answer from Central within ${timeoutMs / 1000} s`);
    }
  }, 1000);
  try {
    return await driver.request(cp);
  } finally {
    clearInterval(watch);
  }
}
