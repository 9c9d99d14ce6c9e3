/**
 * A whole local network for a flow test: Central on free ports with a database of its own (the
 * local PostgreSQL server when one answers, else the embedded one), topics under a prefix of its
 * own on the real broker, and CPs and drivers started as real processes. Everything is stopped
 * and removed when the test is done (`await using net = await startNetwork()`).
 *
 * @module
 */
import { freePort, type Program, start, type StartOptions, waitFor } from "./programs.ts";
import { findPostgresServer, freshDatabase } from "./postgres.ts";
import { createKafka, createProducer, probeBroker } from "../../shared/kafka/client.ts";
import { topicNames } from "../../shared/topics.ts";

/** The broker tests use. */
export const KAFKA = Deno.env.get("EV_KAFKA") ?? "127.0.0.1:9092";

/** Fails with one clear line when no broker answers. */
export async function requireKafka(kafka = KAFKA): Promise<void> {
  if (!await probeBroker(kafka, 5_000)) {
    throw new Error(
      `no Kafka broker at ${kafka}: start one with 'deno task kafka' (or set EV_KAFKA)`,
    );
  }
}

/** A CP: its Engine and Monitor. */
export interface TestCp {
  id: string;
  secret: string;
  enginePort: number;
  engine: Program;
  monitor: Program;
}

/** A running test network. */
export class TestNetwork implements AsyncDisposable {
  readonly httpPort = freePort();
  readonly cpPort = freePort();
  readonly token = "test-token";
  readonly programs: Program[] = [];
  central!: Program;
  #dropDatabase: () => Promise<void> = () => Promise.resolve();

  /**
   * @param entries a file to run instead of each task's module (bundles), by task
   * @param cwd the programs' working folder (default the repository's root)
   * @param denoFlags more `deno run` flags, by task (e.g. a CPU profile of Central)
   */
  constructor(
    readonly env: Record<string, string>,
    readonly dir: string,
    readonly entries: Record<string, string> = {},
    readonly cwd?: string,
    readonly denoFlags: Record<string, string[]> = {},
  ) {}

  /** Starts a program of this network (its bundle, when it runs bundles). */
  #start(task: string, args: string[], env: Record<string, string>, name: string) {
    const options: StartOptions = {
      entry: this.entries[task],
      cwd: this.cwd,
      denoFlags: this.denoFlags[task],
    };
    return start(task, args, env, name, options);
  }

  /** Starts (or restarts) Central, with `args`, and waits until it is ready. */
  async startCentral(args: string[] = []): Promise<Program> {
    this.central = this.#track(
      await this.#start("central", ["--no-panel", ...args], this.env, "central"),
    );
    await this.waitReady();
    return this.central;
  }

  /** Waits until the Central at `port` is ready (its Kafka side and database answer). */
  async waitReady(port = this.httpPort): Promise<void> {
    await waitFor(
      `Central at :${port} to be ready`,
      async () => (await this.fetch("GET", "/readyz", undefined, this.token, port)).status === 200,
      90_000,
    );
  }

  /** Starts another Central instance on the same database and topics, on ports of its own. */
  async startInstance(
    name: string,
    ports = { http: freePort(), cp: freePort() },
  ): Promise<{ program: Program; http: number; cp: number }> {
    const env = {
      ...this.env,
      EV_HTTP_PORT: String(ports.http),
      EV_CENTRAL_PORT: String(ports.cp),
      EV_DATA_DIR: `${this.dir}/data-${name}`,
    };
    const program = this.#track(
      await this.#start("central", ["--no-panel"], env, `central ${name}`),
    );
    await this.waitReady(ports.http);
    return { program, http: ports.http, cp: ports.cp };
  }

  /** A request to Central's API (with the operator token), at `port` (default: the first). */
  async fetch(
    method: string,
    path: string,
    body?: unknown,
    token = this.token,
    port = this.httpPort,
  ): Promise<Response> {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    return res;
  }

  /** A JSON answer of the API. */
  async json<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const res = await this.fetch(method, path, body);
    return { status: res.status, body: await res.json() as T };
  }

  /** The sessions Central (at `port`) stored for a driver. */
  async sessionsOf(driver: string, port = this.httpPort): Promise<Array<Record<string, unknown>>> {
    const res = await this.fetch(
      "GET",
      `/api/sessions?driver=${driver}`,
      undefined,
      this.token,
      port,
    );
    return await res.json();
  }

  /** The state Central (at `port`) shows for a CP ("" when it does not answer). */
  async state(cpId: string, port = this.httpPort): Promise<string> {
    try {
      const res = await this.fetch("GET", `/api/cps/${cpId}`, undefined, this.token, port);
      return res.ok ? (await res.json()).state : `(${res.status})`;
    } catch {
      return "";
    }
  }

  /** Waits until a CP shows `state` (at the Central on `port`). */
  async waitState(
    cpId: string,
    state: string,
    timeoutMs = 30_000,
    port = this.httpPort,
  ): Promise<void> {
    let last = "";
    await waitFor(
      `${cpId} to be ${state} (is '${last}')`,
      async () => (last = await this.state(cpId, port)) === state,
      timeoutMs,
    )
      .catch(() => {
        throw new Error(`${cpId} is '${last}', not '${state}', after ${timeoutMs / 1000} s`);
      });
  }

  /** Enrolls a CP (location `Lab-<id>`, 0.35 €/kWh). */
  async enroll(id: string, secret = `secret-${id}`): Promise<void> {
    const enrolled = await this.fetch("POST", "/api/cps", {
      id,
      location: `Lab-${id}`,
      pricePerKwh: 0.35,
      secret,
    });
    if (enrolled.status !== 201) {
      throw new Error(`enrolling ${id}: ${enrolled.status} ${await enrolled.text()}`);
    }
  }

  /**
   * Starts a program of a deno.json task with `args`, in the network's environment with `env`
   * over it (a key set to `undefined` is left out), stopped with the network.
   */
  async run(
    task: string,
    args: string[],
    env: Record<string, string | undefined> = {},
    name = task,
  ): Promise<Program> {
    const merged: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...this.env, ...env })) {
      if (v !== undefined) merged[k] = v;
    }
    return this.#track(await this.#start(task, args, merged, name));
  }

  /** Enrolls a CP and starts its Engine and Monitor (given the Centrals' socket ports to try). */
  async addCp(
    id: string,
    secret = `secret-${id}`,
    engineArgs: string[] = [],
    centralPorts = [this.cpPort],
  ): Promise<TestCp> {
    await this.enroll(id, secret);
    const enginePort = freePort();
    const engine = await this.startEngine(id, enginePort, engineArgs);
    const monitor = await this.startMonitor(id, secret, enginePort, centralPorts);
    return { id, secret, enginePort, engine, monitor };
  }

  /** Starts a CP's Engine. */
  async startEngine(id: string, port: number, args: string[] = []): Promise<Program> {
    const engine = this.#track(
      await this.#start(
        "engine",
        ["--id", id, "--port", String(port), "--no-panel", ...args],
        this.env,
        `engine ${id}`,
      ),
    );
    await engine.waitForLine(/listening for its Monitor/, 60_000);
    return engine;
  }

  /** Starts a CP's Monitor. */
  async startMonitor(
    id: string,
    secret: string,
    enginePort: number,
    centralPorts = [this.cpPort],
  ): Promise<Program> {
    return this.#track(
      await this.#start(
        "monitor",
        [
          "--id",
          id,
          "--secret",
          secret,
          "--engine",
          `127.0.0.1:${enginePort}`,
          "--central",
          centralPorts.map((p) => `127.0.0.1:${p}`).join(","),
          "--no-panel",
        ],
        this.env,
        `monitor ${id}`,
      ),
    );
  }

  /** Starts a driver (`--json`). */
  async driver(id: string, args: string[]): Promise<Program> {
    return this.#track(
      await this.#start("driver", ["--id", id, "--json", ...args], this.env, `driver ${id}`),
    );
  }

  /** Stops every program, drops the database and removes the files. */
  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(this.programs.map((p) => p.stop()));
    await this.#dropDatabase().catch(() => {});
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }

  /** @internal */
  setDropDatabase(drop: () => Promise<void>): void {
    this.#dropDatabase = drop;
  }

  #track(p: Program): Program {
    this.programs.push(p);
    return p;
  }
}

/**
 * Starts Central on a fresh database and topics of its own (on the broker at `kafka`).
 * `postgres`: a PostgreSQL server is required (several instances share it); `embedded`: Central's
 * embedded database even when a server answers; `centralArgs`: more arguments for Central;
 * `denoFlags`: more `deno run` flags, by task.
 */
export async function startNetwork(
  {
    kafka = KAFKA,
    entries = {},
    cwd,
    postgres = false,
    embedded = false,
    centralArgs = [],
    denoFlags = {},
  }: {
    kafka?: string;
    entries?: Record<string, string>;
    cwd?: string;
    postgres?: boolean;
    embedded?: boolean;
    centralArgs?: string[];
    denoFlags?: Record<string, string[]>;
  } = {},
): Promise<TestNetwork> {
  await requireKafka(kafka);
  const dir = await Deno.makeTempDir({ prefix: "ev-net-" });
  const prefix = `t${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}.`;
  const env: Record<string, string> = {
    EV_KAFKA: kafka,
    EV_TOPIC_PREFIX: prefix,
    EV_DATA_DIR: `${dir}/data`,
  };
  const net = new TestNetwork(env, dir, entries, cwd, denoFlags);
  Object.assign(env, {
    EV_HTTP_PORT: String(net.httpPort),
    EV_CENTRAL_PORT: String(net.cpPort),
    EV_OPERATOR_TOKEN: net.token,
  });
  const server = embedded ? undefined : await findPostgresServer();
  if (postgres && !server) {
    throw new Error(
      "no PostgreSQL server (DATABASE_URL, or 127.0.0.1:5432): several Centrals need one",
    );
  }
  if (server) {
    const db = await freshDatabase(server);
    env.DATABASE_URL = db.url;
    net.setDropDatabase(db.drop);
  }
  try {
    await net.startCentral(centralArgs);
  } catch (e) {
    await net[Symbol.asyncDispose]();
    throw e;
  }
  return net;
}

/**
 * Plugs the car in at an Engine once it holds an authorization (it learns of one over Kafka, a
 * moment after the driver may): every "authorized" line it printed is matched by a "supplying".
 */
export async function plugIn(engine: Program, key = "I"): Promise<void> {
  const count = (pattern: RegExp) => engine.lines.filter((l) => pattern.test(l)).length;
  await waitFor(
    `${engine.name} to hold an authorization`,
    () => count(/ authorized: /) > count(/ supplying /),
  );
  await engine.say(key);
}

/** Waits until a driver printed `n` JSON events of `type`; returns them. */
export async function waitForEvents(driver: Program, type: string, n = 1, timeoutMs = 30_000) {
  try {
    return await waitFor(`${driver.name}: ${n} ${type}`, () => {
      const found = driverEvents(driver).filter((e) => e.type === type);
      return found.length >= n && found;
    }, timeoutMs);
  } catch (e) {
    // what the driver saw says why (denied, no answer, an error), not only that it timed out
    const seen = driver.lines.slice(-8).map((l) => l.slice(0, 300)).join("\n  ");
    throw new Error(`${(e as Error).message}; its last lines:\n  ${seen || "(none)"}`);
  }
}

/** The JSON events a driver printed. */
export function driverEvents(driver: Program): Array<Record<string, unknown> & { type: string }> {
  return driver.stdout.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

/**
 * A connected producer of the test's own, with the network's topic names: what a test writes
 * records straight to the broker with (it disconnects the producer when done).
 */
export async function testProducer(net: TestNetwork) {
  const topics = topicNames(net.env.EV_TOPIC_PREFIX);
  const kafka = createKafka({ brokers: KAFKA, clientId: "ev-test" });
  const producer = createProducer(kafka);
  await producer.connect();
  return { topics, kafka, producer };
}
