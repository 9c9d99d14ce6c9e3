/**
 * Headless Chromium (the system's, never a downloaded one) driven by playwright-core.
 *
 * @module
 */
import { type Browser, chromium } from "playwright-core";

/** Where the system's Chromium is, if installed. */
export function findChromium(): string | undefined {
  for (
    const path of [Deno.env.get("EV_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"]
  ) {
    if (!path) continue;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** Launches headless Chromium. */
export async function launchBrowser(executablePath: string): Promise<Browser> {
  return await chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** Folder for screenshots a test leaves behind (gitignored). */
export const ARTIFACTS = new URL("../artifacts/", import.meta.url);
