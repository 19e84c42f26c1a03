// Traffic without a valid token, per client IP: a login (before WeChat is called) and a request
// whose token failed. One sliding window in the store, charged only by such traffic, so an
// authenticated request never pays for it and a flood of bad tokens writes one counter per IP.
import { AppError } from "../appError";
import type { ResolvedEnvironment } from "../config/config";
import type { Logger } from "../log/logger";
import type { Store } from "../store/store";
import { storeKeys } from "../store/storeKeys";
import { withTimeout } from "../store/withTimeout";
import { rateLimitHeaders } from "./admit";

export type IpLimit = (clientIp: string | undefined, traceId: string) => Promise<void>;

export function createIpLimit(deps: { store: Store; env: ResolvedEnvironment; prefix: string; logger: Logger; limitsOff?: boolean; now?: () => number }): IpLimit {
  const now = deps.now ?? Date.now;
  const { per_ip } = deps.env.limits;
  return async (clientIp, traceId) => {
    if (deps.limitsOff) return;
    let result;
    try {
      result = await withTimeout(
        deps.store.admit({ nowMs: now(), limits: [{ key: storeKeys.perIp(deps.prefix, clientIp ?? "unknown"), limit: per_ip.requests, windowMs: per_ip.window_seconds * 1000 }] }),
        deps.env.limits.store_timeout_ms,
      );
    } catch {
      // This guards failing traffic only: a store outage must not turn it into a 503 storm.
      deps.logger.warn("store unavailable", { traceId, store: deps.store.kind, step: "ip_limit" });
      return;
    }
    if (result.outcome === "rate_limited") {
      throw new AppError(429, "rate_limited", "too many requests from this address; slow down", {
        "retry-after": String(Math.max(1, Math.ceil(result.limit.resetMs / 1000))),
        ...rateLimitHeaders(result.limit),
      });
    }
  };
}
