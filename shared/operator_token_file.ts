/**
 * Where Central keeps the operator token it generated: `<data-dir>/operator-token`, readable by
 * its owner only. A documented place (README "Settings"), so that tools on the same machine (the
 * simulator, `central -- enroll`) can use it when no token is given.
 *
 * @module
 */

/** The token file in a data folder. */
export function tokenFile(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, "")}/operator-token`;
}

/** The token kept in a data folder, if any. */
export async function keptToken(dataDir: string): Promise<string | undefined> {
  try {
    return (await Deno.readTextFile(tokenFile(dataDir))).trim() || undefined;
  } catch {
    return undefined;
  }
}
