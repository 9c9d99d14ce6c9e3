/**
 * What a flow test watches while it makes a program late: every state Central showed for each CP
 * (polled through its API), and a process stopped for a while (SIGSTOP, then SIGCONT).
 *
 * @module
 */

/** A CP as `GET /api/cps` shows it. */
export interface CpView {
  id: string;
  state: string;
}

/** Polls `views` every 200 ms and keeps, per CP, every state seen; `stop` ends it. */
export function watchStates(views: () => Promise<CpView[]>) {
  const seen = new Map<string, Set<string>>();
  let watching = true;
  const done = (async () => {
    while (watching) {
      for (const v of await views().catch(() => [])) {
        if (!seen.has(v.id)) seen.set(v.id, new Set());
        seen.get(v.id)!.add(v.state);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    seen,
    async stop(): Promise<void> {
      watching = false;
      await done;
    },
  };
}

/** Stops process `pid` for `ms` (its event loop late by all of it), then lets it run again. */
export async function pauseProcess(pid: number, ms: number): Promise<void> {
  Deno.kill(pid, "SIGSTOP");
  try {
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    Deno.kill(pid, "SIGCONT");
  }
}
