/**
 * A lab of PCs on one machine: Linux network namespaces with addresses of their own on a private
 * switch (a bridge in a namespace of its own, a veth pair per PC), each PC with its own copy of
 * the repository and its own `.env`, and programs started inside a PC with `deno task` as a
 * person would type it there. The test machine itself sits on the switch too (the operator's
 * laptop, `10.77.0.1`), to read Central's API. Everything is removed when the lab is disposed,
 * also after a failure; a lab left by a test that was killed is removed by the next one.
 *
 * Needs root and `ip` (iproute2): {@link labUnavailable} says why not, for `ignore`.
 *
 * @module
 */
import { join } from "node:path";
import { Program } from "./programs.ts";

const ROOT = new URL("../../", import.meta.url);
/** The lab's network: only its own namespaces hold these addresses. */
export const SUBNET = "10.77.0";
/** Address of the test machine on the lab's switch. */
export const OPERATOR = `${SUBNET}.1`;
const PREFIX = "evlab";
/** What a PC's copy of the repository leaves out. */
const SKIP = new Set([".git", "data", "dist", ".ci", "node_modules", "artifacts", "results"]);
/** The variables a PC starts with: a fresh PC's, with the same tools and caches as this one. */
const KEPT_ENV = [
  "PATH",
  "HOME",
  "DENO_DIR",
  "XDG_CACHE_HOME",
  "EV_CACHE_DIR",
  "JAVA_HOME",
  "LANG",
];

/** Why a lab cannot be made here (not root, no `ip`), or undefined when it can. */
export function labUnavailable(): string | undefined {
  if (Deno.build.os !== "linux") return "network namespaces are Linux's";
  if (Deno.uid() !== 0) return "making network namespaces needs root";
  try {
    if (
      !new Deno.Command("ip", { args: ["netns", "list"], stdout: "null", stderr: "null" })
        .outputSync().success
    ) return "'ip netns' does not work here";
  } catch {
    return "'ip' (iproute2) is not installed";
  }
  return undefined;
}

/** Runs `ip` with `args`; throws with its error output when it fails. */
async function ip(...args: string[]): Promise<string> {
  const out = await new Deno.Command("ip", { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`ip ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** A PC of the lab. */
export interface Pc {
  /** Its name in the lab (`central`). */
  name: string;
  /** Its network namespace. */
  ns: string;
  /** Its address on the lab's switch. */
  address: string;
  /** Its copy of the repository (where `deno task` is typed, and its `.env` is). */
  dir: string;
}

/** A running lab. */
export class Lab implements AsyncDisposable {
  readonly pcs = new Map<string, Pc>();
  readonly programs: Program[] = [];
  readonly #id = `${PREFIX}${Deno.pid}`;
  readonly #switch = `${this.#id}-sw`;
  readonly #operatorLink = `evo${Deno.pid}`;
  #namespaces: string[] = [];

  private constructor(readonly dir: string) {}

  /** Makes the switch and the operator's link; {@link Lab.addPc} adds PCs. */
  static async create(): Promise<Lab> {
    await removeStaleLabs();
    const lab = new Lab(await Deno.makeTempDir({ prefix: "ev-lab-" }));
    try {
      await lab.#addNamespace(lab.#switch);
      await ip("-n", lab.#switch, "link", "add", "br0", "type", "bridge");
      await ip("-n", lab.#switch, "link", "set", "br0", "up");
      await ip(
        "link",
        "add",
        lab.#operatorLink,
        "type",
        "veth",
        "peer",
        "name",
        "op0",
        "netns",
        lab.#switch,
      );
      await lab.#plug("op0");
      await ip("addr", "add", `${OPERATOR}/24`, "dev", lab.#operatorLink);
      await ip("link", "set", lab.#operatorLink, "up");
    } catch (e) {
      await lab[Symbol.asyncDispose]();
      throw e;
    }
    return lab;
  }

  /** Adds a PC at `<SUBNET>.<host>` with its own copy of the repository and `.env`. */
  async addPc(name: string, host: number, env: Record<string, string>): Promise<Pc> {
    const ns = `${this.#id}-${name}`;
    const address = `${SUBNET}.${host}`;
    await this.#addNamespace(ns);
    await ip("-n", ns, "link", "set", "lo", "up");
    await ip(
      "-n",
      ns,
      "link",
      "add",
      "eth0",
      "type",
      "veth",
      "peer",
      "name",
      `p${host}`,
      "netns",
      this.#switch,
    );
    await this.#plug(`p${host}`);
    await ip("-n", ns, "addr", "add", `${address}/24`, "dev", "eth0");
    await ip("-n", ns, "link", "set", "eth0", "up");
    const dir = join(this.dir, name, "evcharging");
    await copyTree(new URL(".", ROOT).pathname, dir);
    await Deno.writeTextFile(
      join(dir, ".env"),
      Object.entries(env).map(([k, v]) => `${k}=${v}`).join("\n") + "\n",
    );
    const pc = { name, ns, address, dir };
    this.pcs.set(name, pc);
    return pc;
  }

  /**
   * Starts `deno task <task> <args>` on a PC, in its folder, with a fresh PC's environment
   * (its `.env` gives the rest), as a person would type it there.
   */
  run(pc: Pc, task: string, args: string[], name = `${pc.name}: ${task}`): Program {
    const env: Record<string, string> = { NO_COLOR: "1" };
    for (const k of KEPT_ENV) {
      const v = Deno.env.get(k);
      if (v !== undefined) env[k] = v;
    }
    const child = new Deno.Command("ip", {
      args: ["netns", "exec", pc.ns, Deno.execPath(), "task", "-q", task, ...args],
      cwd: pc.dir,
      clearEnv: true,
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const program = new Program(name, child);
    this.programs.push(program);
    return program;
  }

  /** A PC loses its power: every process on it is killed at once. */
  async crash(pc: Pc): Promise<void> {
    await killAllIn(pc.ns);
  }

  /** Stops every program (newest first), kills whatever is left in the PCs, removes it all. */
  async [Symbol.asyncDispose](): Promise<void> {
    for (const p of [...this.programs].reverse()) await p.stop().catch(() => {});
    for (const ns of this.#namespaces) await killAllIn(ns);
    await removeLab(this.#id, this.#operatorLink, this.#namespaces);
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }

  async #addNamespace(ns: string) {
    await ip("netns", "add", ns);
    this.#namespaces.push(ns);
  }

  /** Attaches a veth end (already in the switch's namespace) to its bridge. */
  async #plug(link: string) {
    await ip("-n", this.#switch, "link", "set", link, "master", "br0");
    await ip("-n", this.#switch, "link", "set", link, "up");
  }
}

/** SIGKILL to every process still in namespace `ns` (all of them started by this lab). */
async function killAllIn(ns: string) {
  const pids = (await ip("netns", "pids", ns).catch(() => "")).split(/\s+/).filter(Boolean);
  for (const pid of pids) {
    try {
      Deno.kill(Number(pid), "SIGKILL");
    } catch {
      // gone
    }
  }
}

async function removeLab(id: string, operatorLink: string, namespaces: string[]) {
  await ip("link", "del", operatorLink).catch(() => {});
  for (const ns of [...namespaces].reverse()) await ip("netns", "del", ns).catch(() => {});
  // and any of this id's that a half-made lab did not record
  const left = (await ip("netns", "list").catch(() => "")).split("\n").map((l) => l.split(" ")[0])
    .filter((n) => n.startsWith(`${id}-`));
  for (const ns of left) await ip("netns", "del", ns).catch(() => {});
}

/** Removes the labs of test processes that are gone (killed before they could clean up). */
async function removeStaleLabs() {
  const names = (await ip("netns", "list").catch(() => "")).split("\n").map((l) => l.split(" ")[0]);
  const pids = new Set(
    names.map((n) => new RegExp(`^${PREFIX}(\\d+)-`).exec(n)?.[1]).filter((p) => p !== undefined),
  );
  for (const pid of pids) {
    if (await Deno.stat(`/proc/${pid}`).then(() => true, () => false)) continue;
    const namespaces = names.filter((n) => n.startsWith(`${PREFIX}${pid}-`));
    for (const ns of namespaces) await killAllIn(ns);
    await removeLab(`${PREFIX}${pid}`, `evo${pid}`, namespaces);
  }
}

/** Copies the repository's files (not its history, data or builds) to `to`. */
async function copyTree(from: string, to: string) {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (SKIP.has(e.name) || e.name.startsWith(".bundle-") || e.name.startsWith(".compile-")) {
      continue;
    }
    const src = join(from, e.name);
    const dst = join(to, e.name);
    if (e.isDirectory) await copyTree(src, dst);
    else if (e.isFile) await Deno.copyFile(src, dst);
  }
}
