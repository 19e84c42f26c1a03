// After the model answered: charge the quota with the real usage and store the cacheable
// answer, in one round trip. A failure costs a warning line, never the user's answer.
import type { ResolvedEnvironment } from "../config/loadConfig";
import type { Logger } from "../observability/logger";
import type { Store } from "../store/store";
import { StoreTimeout, withTimeout } from "./admit";
import { storeKeys } from "./storeKeys";

const QUOTA_KEY_TTL_SECONDS = 2 * 24 * 3600;

export function createRecordUsage(deps: { store: Store; env: ResolvedEnvironment; prefix: string; logger: Logger; limitsOff?: boolean; now?: () => number }) {
  const now = deps.now ?? Date.now;
  return async function recordUsage(request: { traceId: string; userId: string; tokens: number; cache?: { key: string; value: string; ttlSeconds: number } }): Promise<void> {
    const quota = deps.limitsOff || request.tokens <= 0 ? undefined : { key: storeKeys.quota(deps.prefix, request.userId, now()), tokens: request.tokens, ttlSeconds: QUOTA_KEY_TTL_SECONDS };
    if (!quota && !request.cache) return;
    try {
      await withTimeout(deps.store.record({ ...(quota ? { quota } : {}), ...(request.cache ? { cache: request.cache } : {}) }), deps.env.limits.store_timeout_ms);
    } catch (err) {
      deps.logger.warn("store unavailable", { traceId: request.traceId, store: deps.store.kind, step: "record", reason: err instanceof StoreTimeout ? "timeout" : "error" });
    }
  };
}
