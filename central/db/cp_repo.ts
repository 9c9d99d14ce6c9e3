/**
 * The `cps` table: enrolment, removal, and the state each CP was last shown in.
 *
 * @module
 */
import type postgres from "postgres";
import type { CpState } from "../../shared/cp_view.ts";

/** A CP's row, mapped to domain names. */
export interface CpRow {
  id: string;
  location: string;
  pricePerKwh: number;
  secretHash: string;
  stopped: boolean;
  state: CpState;
}

/** The id is enrolled already. */
export class DuplicateCpError extends Error {
  constructor(id: string) {
    super(`CP '${id}' is enrolled already`);
    this.name = "DuplicateCpError";
  }
}

/** Reads and writes the `cps` table. */
export class CpRepo {
  constructor(private readonly sql: postgres.Sql) {}

  /** Every enrolled CP, by id. */
  async list(): Promise<CpRow[]> {
    const rows = await this.sql<RawRow[]>`select id, location, price_per_kwh::float8 as price,
      secret_hash, stopped, state from cps order by id`;
    return rows.map(toRow);
  }

  /** One CP, or undefined. */
  async get(id: string): Promise<CpRow | undefined> {
    return (await this.getMany([id]))[0];
  }

  /** Many CPs in one statement, in the order asked (undefined where unknown). */
  async getMany(ids: string[]): Promise<Array<CpRow | undefined>> {
    if (ids.length === 0) return [];
    const rows = await this.sql<RawRow[]>`select id, location, price_per_kwh::float8 as price,
      secret_hash, stopped, state from cps where id = any(${ids}::text[])`;
    const byId = new Map(rows.map((r) => [r.id, toRow(r)]));
    return ids.map((id) => byId.get(id));
  }

  /** Enrolls a CP; throws {@link DuplicateCpError} when the id exists. */
  async enroll(cp: { id: string; location: string; pricePerKwh: number; secretHash: string }) {
    const rows = await this.sql`insert into cps (id, location, price_per_kwh, secret_hash)
      values (${cp.id}, ${cp.location}, ${cp.pricePerKwh}, ${cp.secretHash})
      on conflict (id) do nothing returning id`;
    if (rows.length === 0) throw new DuplicateCpError(cp.id);
  }

  /**
   * Removes a CP unless a supply is live there: "removed", "unknown" or "busy". The CP's row is
   * locked first, so a supply being recorded at that moment is either seen here or refused.
   */
  async remove(id: string): Promise<"removed" | "unknown" | "busy"> {
    return await this.sql.begin(async (tx) => {
      const cp = await tx`select id from cps where id = ${id} for update`;
      if (cp.length === 0) return "unknown" as const;
      const live = await tx`select 1 from sessions
        where cp_id = ${id} and status in ('authorized', 'charging') limit 1`;
      if (live.length > 0) return "busy" as const;
      await tx`delete from cps where id = ${id}`;
      return "removed" as const;
    });
  }

  /** Records what the CP's Monitor said at registration. */
  async updateDetails(id: string, location: string, pricePerKwh: number): Promise<void> {
    await this.sql`update cps set location = ${location}, price_per_kwh = ${pricePerKwh},
      updated_at = now() where id = ${id}`;
  }

  /** Records the state shown and the operator's order. */
  async saveState(id: string, state: CpState, stopped: boolean): Promise<void> {
    await this.saveStates([{ id, state, stopped }]);
  }

  /** Records the states of many CPs in one statement; of two rows of one CP, the later one. */
  async saveStates(all: Array<{ id: string; state: CpState; stopped: boolean }>): Promise<void> {
    // one statement updates a row once: the CP's last state is what writing them in turn leaves
    const rows = [...new Map(all.map((r) => [r.id, r])).values()];
    if (rows.length === 0) return;
    await this.sql`update cps as c set state = v.state, stopped = v.stopped, updated_at = now()
      from (select unnest(${rows.map((r) => r.id)}::text[]) as id,
                   unnest(${rows.map((r) => r.state)}::text[]) as state,
                   unnest(${rows.map((r) => String(r.stopped))}::text[])::bool as stopped) as v
      where c.id = v.id`;
  }
}

interface RawRow {
  id: string;
  location: string;
  price: number;
  secret_hash: string;
  stopped: boolean;
  state: CpState;
}

function toRow(r: RawRow): CpRow {
  return {
    id: r.id,
    location: r.location,
    pricePerKwh: Number(r.price),
    secretHash: r.secret_hash,
    stopped: r.stopped,
    state: r.state,
  };
}
