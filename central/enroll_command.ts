/**
 * `deno task central -- enroll <id> --location L --price P [--secret S]` and `remove <id>`.
 * When a Central answers on the HTTP port, the command goes through its API (so its panel shows
 * the new CP at once and an embedded database is never opened twice); else it writes to the
 * database directly.
 *
 * @module
 */
import { type Config, ConfigError, parseNumber } from "../shared/config.ts";
import { RANGES } from "../shared/settings.ts";
import { openDatabase } from "./db/database.ts";
import { CpRepo } from "./db/cp_repo.ts";
import { DuplicateCpError, enrollCp, EnrollError, parseEnrollInput } from "./enrollment.ts";
import { keptToken } from "./token.ts";
import { idProblem } from "../shared/ids.ts";

/** Runs `enroll` or `remove`; returns the exit code. */
export async function enrollCommand(cfg: Config<string>): Promise<number> {
  const v = cfg.values;
  const id = cfg.rest[0];
  const problem = idProblem(id, "CP id");
  if (problem) throw new ConfigError(`${problem} (deno task central -- ${cfg.command} <id>)`);
  const dataDir = v["data-dir"]!;
  const token = v.token ?? await keptToken(dataDir);
  const base = `http://127.0.0.1:${v.http}`;
  const body = cfg.command === "enroll"
    ? {
      id,
      location: v.location ?? "",
      pricePerKwh: parseNumber(v.price ?? "0.30", "price", RANGES.price),
      ...(v.secret ? { secret: v.secret } : {}),
    }
    : undefined;
  if (body) parseEnrollInput(body);

  const viaApi = await callApi(base, token, cfg.command!, id, body);
  if (viaApi !== undefined) return viaApi;

  const db = await openDatabase({ url: v.db, dataDir });
  try {
    const repo = new CpRepo(db.sql);
    if (cfg.command === "remove") {
      const outcome = await repo.remove(id);
      if (outcome === "unknown") return fail(`unknown CP '${id}'`);
      if (outcome === "busy") return fail(`CP '${id}' has a supply in progress: stop it first`);
      console.log(`removed ${id} (${db.where})`);
      return 0;
    }
    const enrolled = await enrollCp(repo, parseEnrollInput(body));
    console.log(`enrolled ${enrolled.id} (${db.where})\nsecret: ${enrolled.secret}`);
    return 0;
  } catch (e) {
    if (e instanceof DuplicateCpError || e instanceof EnrollError) return fail(e.message);
    throw e;
  } finally {
    await db.close();
  }
}

/** The exit code of the command done through a running Central, or undefined when none answers. */
async function callApi(
  base: string,
  token: string | undefined,
  command: string,
  id: string,
  body: unknown,
): Promise<number | undefined> {
  try {
    await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1500) }).then((r) =>
      r.body?.cancel()
    );
  } catch {
    return undefined;
  }
  const res = await fetch(command === "enroll" ? `${base}/api/cps` : `${base}/api/cps/${id}`, {
    method: command === "enroll" ? "POST" : "DELETE",
    headers: { authorization: `Bearer ${token ?? ""}`, "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await res.json().catch(() => ({}));
  if (res.status === 401) {
    return fail("the running Central refused the operator token (give --token)");
  }
  if (!res.ok) return fail(answer.error ?? `Central answered ${res.status}`);
  if (command === "enroll") {
    console.log(`enrolled ${answer.id} (through ${base})\nsecret: ${answer.secret}`);
  } else console.log(`removed ${id} (through ${base})`);
  return 0;
}

function fail(message: string): number {
  console.error(`error: ${message}`);
  return 1;
}
