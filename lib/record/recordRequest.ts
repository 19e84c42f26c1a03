// The record step, before the response's last byte: quota charged with the real usage, the
// cacheable answer stored, and the request's audit record, in one store round trip. A failure
// costs a warning line, never the user's answer.
import { StoreTimeout, withTimeout } from "../store/withTimeout";
import { QUOTA_TTL_SECONDS, storeKeys } from "../store/storeKeys";
import type { ResolvedEnvironment } from "../config/loadConfig";
import type { Logger } from "../log/logger";
import type { RecordRequest, Store } from "../store/store";

export interface RecordInput {
  traceId: string;
  userId?: string;
  /** When the request was admitted: its settlement goes to the day it reserved on. */
  quotaDayMs?: number;
  /** Real usage, less what admission reserved: negative gives the unused part back. */
  tokens: number;
  cache?: { key: string; value: string; ttlSeconds: number };
  audit?: { key: string; value: string; ttlSeconds: number };
  increments?: RecordRequest["increments"];
  newerFields?: RecordRequest["newerFields"];
}

export function createRecordRequest(deps: { store: Store; env: ResolvedEnvironment; prefix: string; logger: Logger; limitsOff?: boolean; now?: () => number }) {
  const now = deps.now ?? Date.now;
  /** stored: the store took it; totals: the new values of `increments`. */
  return async function recordRequest(request: RecordInput): Promise<{ stored: boolean; totals: number[] }> {
    const quota =
      deps.limitsOff || request.tokens === 0 || !request.userId
        ? undefined
        : { key: storeKeys.quota(deps.prefix, request.userId, request.quotaDayMs ?? now()), tokens: request.tokens, ttlSeconds: QUOTA_TTL_SECONDS };
    const { cache, audit, increments, newerFields } = request;
    if (!quota && !cache && !audit && !increments?.length && !newerFields?.length) return { stored: true, totals: [] };
    try {
      const result = await withTimeout(
        deps.store.record({ ...(quota ? { quota } : {}), ...(cache ? { cache } : {}), ...(audit ? { audit } : {}), ...(increments?.length ? { increments } : {}), ...(newerFields?.length ? { newerFields } : {}) }),
        deps.env.limits.store_timeout_ms,
      );
      return { stored: true, totals: result.totals };
    } catch (err) {
      deps.logger.warn("store unavailable", { traceId: request.traceId, store: deps.store.kind, step: "record", reason: err instanceof StoreTimeout ? "timeout" : "error" });
      return { stored: false, totals: [] };
    }
  };
}
