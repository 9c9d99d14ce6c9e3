/**
 * Who may register a CP, and what a Monitor's link may do when (BRIEF §3 Registration). A link
 * is new until its first AUTH, verifying while the secret is checked, then authenticated: a
 * second AUTH, or a report before AUTH, is refused with a reason.
 *
 * @module
 */

/** Where a Monitor's link stands. */
export type LinkPhase = "new" | "verifying" | "authenticated" | "closed";

/** A verdict: go on, or refuse with a reason. */
export type Verdict = { ok: true } | { ok: false; reason: string };

const OK: Verdict = { ok: true };
const refuse = (reason: string): Verdict => ({ ok: false, reason });

/**
 * Whether a CP may register: it must be enrolled and its Monitor must know its secret.
 *
 * @example
 * ```ts
 * admission("CP9", false, false); // { ok: false, reason: "unknown CP 'CP9' (enroll it first)" }
 * ```
 */
export function admission(cpId: string, enrolled: boolean, secretMatches: boolean): Verdict {
  if (!enrolled) return refuse(`unknown CP '${cpId}' (enroll it first)`);
  if (!secretMatches) return refuse("wrong secret");
  return OK;
}

/** Whether a link in `phase` may send an AUTH now. */
export function mayAuthenticate(phase: LinkPhase): Verdict {
  switch (phase) {
    case "new":
      return OK;
    case "verifying":
      return refuse("authentication in progress");
    case "authenticated":
      return refuse("already authenticated");
    case "closed":
      return refuse("connection closed");
  }
}

/** Whether a link in `phase` may send a request of `type` (other than AUTH). */
export function mayRequest(phase: LinkPhase, type: string): Verdict {
  if (type !== "HEALTH") return refuse(`${type} is not a Monitor's request`);
  return phase === "authenticated" ? OK : refuse("authenticate first (AUTH)");
}
