/**
 * The simulator enrolls its own CPs through Central's API (`POST /api/cps`, an existing one is
 * fine), a few at a time.
 *
 * @module
 */
import { errorMessage } from "../../shared/log.ts";

/** Enrolls `ids` at Central's API `api` with the operator `token`, each with `secretOf(id)`. */
export async function enrollAll(
  api: string,
  token: string,
  ids: string[],
  secretOf: (id: string) => string,
): Promise<void> {
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(
      ids.slice(i, i + 50).map(async (id) => {
        const res = await fetch(`${api}/api/cps`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({
            id,
            location: `Simulated ${id}`,
            pricePerKwh: 0.3,
            secret: secretOf(id),
          }),
        }).catch((e) => {
          throw new Error(
            `Central's API at ${api} does not answer (${errorMessage(e)}): is Central running? ` +
              "(--api, or EV_HTTP_PORT)",
          );
        });
        await res.body?.cancel();
        if (res.status === 401) {
          throw new Error("Central refused the operator token (give --token or EV_OPERATOR_TOKEN)");
        }
        if (res.status !== 201 && res.status !== 409) {
          throw new Error(`enrolling ${id}: HTTP ${res.status}`);
        }
      }),
    );
  }
}
