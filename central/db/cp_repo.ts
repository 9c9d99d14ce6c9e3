/**
 * The `cps` table: enrolment, removal, and the state each CP was last shown in.
 *
 * @module
 */
import type postgres from "postgres";
import type { CpState } from "../core/cp.ts";

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
    const rows = await this.sql<RawRow[]>`select id, location, price_per_kwh::float8 as price,
      secret_hash, stopped, state from cps where id = ${id}`;
    return rows[0] && toRow(rows[0]);
  }

  /** Enrolls a CP; throws {@link DuplicateCpError} when the id exists. */
  async enroll(cp: { id: string; location: string; pricePerKwh: number; secretHash: string }) {
    const rows = await this.sql`insert into cps (id, location, price_per_kwh, secret_hash)
      values (${cp.id}, ${cp.location}, ${cp.pricePerKwh}, ${cp.secretHash})
      on conflict (id) do nothing returning id`;
    if (rows.length === 0) throw new DuplicateCpError(cp.id);
  }

  /** Removes a CP; false when it was not enrolled. */
  async remove(id: string): Promise<boolean> {
    const rows = await this.sql`delete from cps where id = ${id} returning id`;
    return rows.length > 0;
  }

  /** Records what the CP's Monitor said at registration. */
  async updateDetails(id: string, location: string, pricePerKwh: number): Promise<void> {
    await this.sql`update cps set location = ${location}, price_per_kwh = ${pricePerKwh},
      updated_at = now() where id = ${id}`;
  }

  /** Records the state shown and the operator's order. */
  async saveState(id: string, state: CpState, stopped: boolean): Promise<void> {
    await this.sql`update cps set state = ${state}, stopped = ${stopped}, updated_at = now()
      where id = ${id}`;
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
