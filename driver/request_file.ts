/**
 * A driver's file of requests: one CP id per line; blank lines and `#` comments are skipped.
 *
 * @module
 */
import { ConfigError } from "../shared/config.ts";

/** The CP ids of a request file, in order. */
export async function readRequestFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new ConfigError(`cannot read --file ${path}: ${e instanceof Error ? e.message : e}`);
  }
  const cps = parseRequestFile(text);
  if (cps.length === 0) throw new ConfigError(`--file ${path} lists no CP`);
  return cps;
}

/** The CP ids of a request file's text. */
export function parseRequestFile(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.replace(/#.*/, "").trim()).filter((l) => l !== "");
}
