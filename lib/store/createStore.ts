import { within } from "../async/within";
import { ConfigError } from "../config/configError";
import { createMemoryStore } from "./memoryStore";
import { createRedisStore } from "./redisStore";
import type { Store } from "./store";
import { createUpstashStore } from "./upstashStore";

/** MINIASK_STORE: memory (default) | upstash | redis://[:password@]host:port[/db]. */
export function createStore(spec: string | undefined, processEnv: Readonly<Record<string, string | undefined>>): Store {
  const value = spec ?? "memory";
  if (value === "memory") return createMemoryStore();
  if (value === "upstash") {
    const url = processEnv.UPSTASH_REDIS_REST_URL;
    const token = processEnv.UPSTASH_REDIS_REST_TOKEN;
    const missing = [url ? undefined : "UPSTASH_REDIS_REST_URL", token ? undefined : "UPSTASH_REDIS_REST_TOKEN"].filter((v): v is string => v !== undefined);
    if (!url || !token) {
      throw new ConfigError(missing.map((name) => `environment variable ${name}: required with MINIASK_STORE=upstash (the database's REST URL and token, from the Upstash console)`));
    }
    return createUpstashStore(url, token);
  }
  if (/^rediss?:\/\/[^/\s]+(\/\d+)?$/.test(value)) return createRedisStore(value);
  throw new ConfigError([`environment variable MINIASK_STORE: expected memory, upstash or redis://host:port[/db], got "${value.replace(/:[^:@/]*@/, ":***@")}"`]);
}

/** Start-up check: reachable within the timeout, or a message that says which store and why. */
export async function checkStore(store: Store, timeoutMs: number): Promise<string | undefined> {
  try {
    await within(store.ping(), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
    return undefined;
  } catch (err) {
    return `store ${store.kind} is unreachable: ${err instanceof Error ? err.message.split("\n")[0]?.slice(0, 200) : "error"}`;
  }
}
