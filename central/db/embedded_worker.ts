/**
 * The embedded database in a thread of its own: PGlite (PostgreSQL in WebAssembly) runs its
 * queries on the thread that calls it, so Central keeps it off its event loop: this worker opens
 * it, serves it over the Postgres wire protocol on a private local port, and Central talks to it
 * like to any server. SQL never stalls Central's sockets.
 *
 * Messages: in `{ dir }`, out `{ ready: "host:port" }` or `{ error }`; in `{ close: true }`, out
 * `{ closed: true }`; in `{ dir, init: true }` (a worker of its own, ended after: the memory of
 * `initdb` is not kept), out `{ initialized: true }` or `{ error }`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** PostgreSQL settings for a small embedded database. */
const SMALL_MEMORY = [
  "-c",
  "shared_buffers=16MB",
  "-c",
  "work_mem=2MB",
  "-c",
  "maintenance_work_mem=8MB",
  "-c",
  "wal_buffers=1MB",
  "-c",
  "temp_buffers=1MB",
];

let pglite: PGlite | undefined;
let server: PGLiteSocketServer | undefined;

self.onmessage = async (e: MessageEvent<{ dir?: string; close?: boolean; init?: boolean }>) => {
  if (e.data.close) {
    await server?.stop().catch(() => {});
    await pglite?.close().catch(() => {});
    self.postMessage({ closed: true });
    return;
  }
  try {
    pglite = await PGlite.create({
      dataDir: e.data.dir,
      // Central's tables are small: PostgreSQL's default buffers (128 MB) would be RSS for nothing
      startParams: [...PGlite.defaultStartParams, ...SMALL_MEMORY],
    });
    if (e.data.init) {
      await pglite.close();
      self.postMessage({ initialized: true });
      return;
    }
    await pglite.exec("SET client_min_messages TO warning");
    server = new PGLiteSocketServer({ db: pglite, host: "127.0.0.1", port: 0 });
    await server.start();
    self.postMessage({ ready: server.getServerConn() });
  } catch (err) {
    self.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
};
