/**
 * Enrolling and removing CPs: the same rules for the HTTP API and `deno task central -- enroll`.
 *
 * @module
 */
import { idProblem } from "../shared/ids.ts";
import { hasControls } from "../shared/foreign_text.ts";
import { type CpRepo, DuplicateCpError } from "./db/cp_repo.ts";
import { generateSecret, hashSecret } from "./secrets.ts";

/** What enrolling a CP needs. */
export interface EnrollInput {
  id: string;
  location: string;
  pricePerKwh: number;
  secret?: string;
}

/** Input that cannot be enrolled: its message says why. */
export class EnrollError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnrollError";
  }
}

/** Checks an enrolment request (e.g. a JSON body); returns it typed or throws {@link EnrollError}. */
export function parseEnrollInput(body: unknown): EnrollInput {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw new EnrollError("body must be a JSON object with id, location, pricePerKwh");
  }
  const b = body as Record<string, unknown>;
  const problem = idProblem(b.id, "id");
  if (problem) throw new EnrollError(problem);
  const location = b.location ?? "";
  if (typeof location !== "string" || location.length > 200 || hasControls(location)) {
    throw new EnrollError(
      "location must be text of at most 200 characters, without control characters",
    );
  }
  const price = b.pricePerKwh ?? 0.3;
  if (typeof price !== "number" || !Number.isFinite(price) || price < 0 || price >= 100) {
    throw new EnrollError("pricePerKwh must be a number from 0 to 100");
  }
  if (
    b.secret !== undefined && (typeof b.secret !== "string" || !/^[^\s#%]{1,256}$/.test(b.secret))
  ) {
    throw new EnrollError("secret must be 1-256 characters without spaces, '#' or '%'");
  }
  return {
    id: b.id as string,
    location,
    pricePerKwh: price,
    secret: b.secret as string | undefined,
  };
}

/** Enrolls a CP; returns its id and secret (generated when none was given). */
export async function enrollCp(
  repo: CpRepo,
  input: EnrollInput,
): Promise<{ id: string; secret: string }> {
  const secret = input.secret ?? generateSecret();
  await repo.enroll({ ...input, secretHash: await hashSecret(secret) });
  return { id: input.id, secret };
}

export { DuplicateCpError };
