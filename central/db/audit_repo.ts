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
    try {
      await this.sql`insert into audit (source, actor, action, result, detail)
        values (${e.source ?? ""}, ${e.actor ?? ""}, ${e.action}, ${e.result ?? ""},
          ${e.detail ?? ""})`;
    } catch (err) {
      log.warn(`could not audit ${e.action}: ${errorMessage(err)}`);
    }
  }
}
