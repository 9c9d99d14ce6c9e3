/**
 * The operator token: given (`--token` / `EV_OPERATOR_TOKEN`), else the one this Central generated
 * before (kept in the data folder, readable by its owner only), else a new one.
 *
 * @module
 */
import { generateSecret } from "./secrets.ts";
import { tokenFile } from "../shared/operator_token_file.ts";

export { keptToken } from "../shared/operator_token_file.ts";

/** The token to use, and whether it was generated now. */
export async function operatorToken(
  given: string | undefined,
  dataDir: string,
): Promise<{ token: string; generated: boolean }> {
  if (given) return { token: given, generated: false };
  const file = tokenFile(dataDir);
  try {
    const kept = (await Deno.readTextFile(file)).trim();
    if (kept) return { token: kept, generated: false };
  } catch {
    // none kept yet
  }
  const token = generateSecret();
  await Deno.mkdir(dataDir, { recursive: true });
  await Deno.writeTextFile(file, token + "\n", { mode: 0o600 });
  return { token, generated: true };
}
