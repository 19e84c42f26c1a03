// POST /v1/mini/warmup on every function. With the timer's key it opens the store connection,
// loads what a first request would load and may hold the instance a moment (so concurrent pings
// land on different instances). Without the key it does nothing and says nothing: no store trip,
// one constant answer whether the store is up or not (anyone can reach the URL, and "store:
// unreachable" told an outsider when to attack), and a per-IP limit kept in memory.
import { timingSafeEqual } from "node:crypto";
import { AppError } from "../appError";
import { jsonResponse } from "../http/plain";
import type { RouteHandler } from "../http/router";
import type { Logger } from "../log/logger";
import { checkStore } from "../store/createStore";
import type { Store } from "../store/store";
import { createPingLimit } from "./pingLimit";

/** Keyless pings an address may send per window, per instance: the timer sends a handful a minute. */
export const KEYLESS_PINGS = { requests: 20, windowMs: 60_000 } as const;

/** The longest hold the timer may ask for. */
export const MAX_HOLD_MS = 1000;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createWarmupRoute(deps: { warmupKey?: string; store: Store; storeTimeoutMs: number; logger: Logger; limit?: { requests: number; windowMs: number } }): RouteHandler {
  const pings = deps.limit ?? KEYLESS_PINGS;
  const limit = createPingLimit(pings);
  const retryAfter = String(Math.ceil(pings.windowMs / 1000));
  return async (req) => {
    const given = req.headers["x-miniask-warmup-key"];
    const fromTimer = deps.warmupKey !== undefined && given !== undefined && sameSecret(given, deps.warmupKey);
    if (!fromTimer) {
      if (!limit.allow(req.clientIp)) throw new AppError(429, "rate_limited", "too many requests from this address; slow down", { "retry-after": retryAfter });
      return jsonResponse(200, { warm: true, heldMs: 0 });
    }
    const started = Date.now();
    const hold = Math.min(MAX_HOLD_MS, Math.max(0, Number(req.headers["x-miniask-warmup-hold-ms"] ?? 0) || 0));
    const [storeProblem] = await Promise.all([checkStore(deps.store, deps.storeTimeoutMs * 4), new Promise((r) => setTimeout(r, hold))]);
    // Node loads its fetch (undici) on first use, ~40-70 ms: WeChat calls (login, content
    // security) and tool calls use it. A Headers object is the cheapest thing that loads it.
    new Headers();
    deps.logger.debug("warmup", { store: storeProblem ? "unreachable" : "ok", ms: Date.now() - started });
    return jsonResponse(200, { warm: true, store: storeProblem ? "unreachable" : "ok", heldMs: hold });
  };
}
