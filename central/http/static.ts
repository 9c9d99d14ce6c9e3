/**
 * The web dashboard's files (`central/web/`), served as they are: no build step. A bundle or a
 * binary carries them inside (`shared/embedded.ts`); run from source, they are read from disk.
 *
 * @module
 */
import { embeddedFile } from "../../shared/embedded.ts";

const WEB_DIR = new URL("../web/", import.meta.url);
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
};

/** Answers `path` with a file of the dashboard, or 404. */
export async function serveStatic(path: string): Promise<Response> {
  const name = path === "/" ? "index.html" : path.slice(1);
  if (!/^[a-z0-9_-]+(\.[a-z0-9]+)+$/i.test(name)) return notFound();
  try {
    const body = embeddedFile(`central/web/${name}`) ?? await Deno.readFile(new URL(name, WEB_DIR));
    const ext = name.split(".").pop()!;
    return new Response(body, {
      headers: {
        "content-type": TYPES[ext] ?? "application/octet-stream",
        "cache-control": "no-cache",
      },
    });
  } catch {
    return notFound();
  }
}

function notFound(): Response {
  return new Response("not found\n", { status: 404, headers: { "content-type": "text/plain" } });
}
