// The limit and cache-read step: one store round trip, raced against a small timeout. A store
// that is down or slow never becomes a 500: the env policy says open (admit, skip the cache)
// or closed (503), and one warning line says which.
import { AppError } from "../appError";
import type { ResolvedEnvironment } from "../config/loadConfig";
import type { IntentName } from "../intents/names";
import type { Logger } from "../log/logger";
import type { AdmitResult, LimitState, Peeked, Store } from "../store/store";
import { QUOTA_TTL_SECONDS, storeKeys } from "../store/storeKeys";
import { StoreTimeout, withTimeout } from "../store/withTimeout";
import { retryAfterUntilBeijingMidnight } from "../time/beijingTime";

export interface Admission {
  /** The cached reply (JSON), when there was one. */
  cached?: string;
  /** Headers for the response: X-RateLimit-*. */
  headers: Record<string, string>;
  /** What the log line says about limits. */
  outcome: "ok" | "off" | "store_error_open";
  /** Tokens reserved on today's quota, settled by the record step. */
  reserved: number;
  /** When it was admitted: the settlement goes to the same quota day. */
  atMs: number;
  /** What was read along (spend counters, the shared breaker hash). */
  peeked?: Peeked;
  /** Micro-yuan held on the budget counters (AdmitAsk.hold), released by the record step. */
  held?: number;
}

export interface AdmitAsk {
  traceId: string;
  userId: string;
  /** An intent, or "refine": POST /v1/mini/refine is limited per user like any intent. */
  intent: IntentName | "refine";
  cacheKey?: string;
  reserveTokens?: number;
  peek?: { keys?: readonly string[]; hash?: string };
  /** Money to hold on the budget counters on a miss (BudgetGate.hold). */
  hold?: { keys: readonly string[]; amount: number; ttlSeconds: number };
}

export function rateLimitHeaders(state: LimitState): Record<string, string> {
  return {
    "x-ratelimit-limit": String(state.limit),
    "x-ratelimit-remaining": String(Math.max(0, state.remaining)),
    "x-ratelimit-reset": String(Math.ceil(state.resetMs / 1000)),
  };
}

export function createAdmit(deps: { store: Store; env: ResolvedEnvironment; prefix: string; logger: Logger; limitsOff?: boolean; now?: () => number }) {
  const { limits } = deps.env;
  const now = deps.now ?? Date.now;
  return async function admit(request: AdmitAsk): Promise<Admission> {
    const nowMs = now();
    // Nothing to check and nothing to read: no round trip at all.
    if (deps.limitsOff && !request.cacheKey && !request.peek) return { headers: {}, outcome: "off", reserved: 0, atMs: nowMs };
    let result: AdmitResult;
    try {
      // A cold instance's connection counts in the store timeout like any reply: the deadline
      // measures the store, not our event loop (lib/async/dependencyDeadline), so a busy
      // instance no longer mistakes a slow turn of its own loop for a store outage.
      result = await withTimeout(
        deps.store.ready().then(() => deps.store.admit({
          nowMs,
          limits: deps.limitsOff
            ? []
            : [
                { key: storeKeys.perUserIntent(deps.prefix, request.userId, request.intent), limit: limits.per_user_intent.requests, windowMs: limits.per_user_intent.window_seconds * 1000 },
                { key: storeKeys.perUser(deps.prefix, request.userId), limit: limits.per_user.requests, windowMs: limits.per_user.window_seconds * 1000 },
              ],
          ...(deps.limitsOff ? {} : { quota: { key: storeKeys.quota(deps.prefix, request.userId, nowMs), limit: limits.daily_tokens, reserve: request.reserveTokens ?? 0, ttlSeconds: QUOTA_TTL_SECONDS } }),
          ...(request.cacheKey ? { cacheKey: request.cacheKey } : {}),
          ...(request.peek ? { peek: request.peek } : {}),
          ...(request.hold ? { hold: request.hold } : {}),
        })),
        limits.store_timeout_ms,
      );
    } catch (err) {
      deps.logger.warn("store unavailable", {
        traceId: request.traceId,
        store: deps.store.kind,
        step: "admit",
        reason: err instanceof StoreTimeout ? "timeout" : "error",
        policy: limits.on_store_error,
      });
      if (limits.on_store_error === "closed") throw new AppError(503, "store_unavailable", "the service is busy; try again shortly", { "retry-after": "2" });
      return { headers: {}, outcome: "store_error_open", reserved: 0, atMs: nowMs };
    }
    if (result.outcome === "rate_limited") {
      throw new AppError(429, "rate_limited", "too many requests; slow down", {
        "retry-after": String(Math.max(1, Math.ceil(result.limit.resetMs / 1000))),
        ...rateLimitHeaders(result.limit),
      });
    }
    if (result.outcome === "quota_exceeded") {
      throw new AppError(429, "quota_exceeded", "today's quota is used up; it resets at midnight (Beijing time)", {
        "retry-after": String(retryAfterUntilBeijingMidnight(nowMs)),
      });
    }
    return {
      ...(result.cached === undefined ? {} : { cached: result.cached }),
      headers: result.limit ? rateLimitHeaders(result.limit) : {},
      outcome: deps.limitsOff ? "off" : "ok",
      reserved: result.reserved,
      atMs: nowMs,
      ...(result.peeked ? { peeked: result.peeked } : {}),
      ...(result.held ? { held: result.held } : {}),
    };
  };
}
