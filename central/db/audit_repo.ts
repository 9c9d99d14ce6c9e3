/**
 * The audit log (BRIEF §5): time, source address, actor, action, result. Never a secret.
 *
 * @module
 */
import type postgres from "postgres";
import { createLogger, errorMessage } from "../../shared/log.ts";

const log = createLogger("audit");

/** One audited fact. */
export interface AuditEntry {
  source?: string;
  actor?: string;
  action: string;
  result?: string;
  detail?: string;
}

/** Appends to the audit log; a failure to audit is logged, never thrown at the caller. */
export class AuditRepo {
  constructor(private readonly sql: postgres.Sql) {}

  /** Records one entry. */
  async record(e: AuditEntry): Promise<void> {
    await this.recordMany([e]);
  }

  /** Records entries, in order, in one statement. */
  async recordMany(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const column = (f: (e: AuditEntry) => string | undefined) => entries.map((e) => f(e) ?? "");
    try {
      await this.sql`insert into audit (source, actor, action, result, detail)
        select * from unnest(${column((e) => e.source)}::text[], ${column((e) => e.actor)}::text[],
          ${column((e) => e.action)}::text[], ${column((e) => e.result)}::text[],
          ${column((e) => e.detail)}::text[])`;
    } catch (err) {
      const what = entries.length === 1 ? entries[0].action : `${entries.length} entries`;
      log.warn(`could not audit ${what}: ${errorMessage(err)}`);
    }
  }
}
