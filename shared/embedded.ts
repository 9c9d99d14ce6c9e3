/**
 * Files carried inside a bundle or a binary (`deno task bundle`, `deno task compile`): the
 * dashboard's files and Central's migrations, which a program run from source reads from disk
 * next to its modules. The build's entry module registers them (before any program code runs);
 * readers ask here first and fall back to the disk.
 *
 * Paths are relative to the repository's root, with `/` (e.g. `central/web/index.html`).
 *
 * @module
 */

/** The files registered by the build; empty when a program runs from source. */
const files = new Map<string, Uint8Array<ArrayBuffer>>();

/**
 * Registers files (their contents in base64), once, from a build's entry module.
 *
 * @example
 * ```ts
 * import { embedFiles, embeddedFile } from "./embedded.ts";
 * embedFiles({ "central/web/hello.txt": btoa("hello") });
 * console.log(new TextDecoder().decode(embeddedFile("central/web/hello.txt"))); // "hello"
 * ```
 */
export function embedFiles(entries: Record<string, string>): void {
  for (const [path, base64] of Object.entries(entries)) {
    files.set(path, Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
  }
}

/** The contents of an embedded file, or `undefined` (not embedded: read it from disk). */
export function embeddedFile(path: string): Uint8Array<ArrayBuffer> | undefined {
  return files.get(path);
}

/** The names of the files embedded directly in folder `dir` (none when run from source). */
export function embeddedNames(dir: string): string[] {
  const prefix = dir.endsWith("/") ? dir : `${dir}/`;
  return [...files.keys()]
    .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes("/"))
    .map((p) => p.slice(prefix.length));
}

/** Worker modules' places in a bundle (set by the bundle's entry), by name. */
const workers = new Map<string, string>();

/**
 * Registers where a worker module is when the program runs as a bundle (a file beside it).
 *
 * @example
 * ```ts
 * import { registerWorker, workerUrl } from "./embedded.ts";
 * registerWorker("db", "file:///opt/ev/ev-central.db.js");
 * console.log(workerUrl("db", new URL("file:///src/db_worker.ts")).href); // the bundle's file
 * ```
 */
export function registerWorker(name: string, url: string): void {
  workers.set(name, url);
}

/** The module a worker runs: the bundle's file when one is registered, else `source`. */
export function workerUrl(name: string, source: URL): URL {
  const registered = workers.get(name);
  return registered ? new URL(registered) : source;
}
