// Before a script reads the shared store: one PING, so a store that is down is one line naming
// its address and what to check (exit 1), not the driver's "Reached the max retries per request
// limit" or "Connection is closed." from the first real command.
import { checkStore, createStore } from "../../lib/store/createStore";
import type { Store } from "../../lib/store/store";
import { UnreachableError } from "./cli";

const PING_TIMEOUT_MS = 3000;

/** Where the store is, as the operator set it (credentials are masked when printed). */
export function storeAddress(store: Pick<Store, "kind">, spec: string | undefined, processEnv: Readonly<Record<string, string | undefined>>): string {
  return store.kind === "upstash" ? `${processEnv.UPSTASH_REDIS_REST_URL ?? "(UPSTASH_REDIS_REST_URL unset)"} (MINIASK_STORE=upstash)` : `${spec ?? "memory"} (MINIASK_STORE)`;
}

function whatToCheck(store: Pick<Store, "kind">): string {
  return store.kind === "upstash"
    ? "check UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (the database's REST URL and token, from the Upstash console) and that this machine can reach it"
    : "check that Redis is running there and that MINIASK_STORE's host, port, password and db are right";
}

/**
 * Throws UnreachableError when `store` does not answer a PING in time; memory always answers.
 * `otherwise`: what else the operator can do (npm start: run on the in-memory store).
 */
export async function requireReachable(store: Store, spec: string | undefined, processEnv: Readonly<Record<string, string | undefined>>, otherwise?: string): Promise<void> {
  const problem = await checkStore(store, PING_TIMEOUT_MS);
  if (problem === undefined) return;
  await store.close().catch(() => undefined);
  throw new UnreachableError(`the ${store.kind} store`, storeAddress(store, spec, processEnv), `${whatToCheck(store)}${otherwise ? `; ${otherwise}` : ""}`);
}

/** The same check for a script that reads the store through a client of its own (report). */
export async function requireReachableSpec(spec: string | undefined, processEnv: Readonly<Record<string, string | undefined>>): Promise<void> {
  const store = createStore(spec, processEnv);
  await requireReachable(store, spec, processEnv);
  await store.close();
}
