// Every key the backend writes, in one place. `prefix` separates environments (and test runs)
// sharing one Redis; the version segment lets a key format change without reading old data.
import type { IntentName } from "../intents/names";

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

/** Quotas are per day in Beijing time, when Mini Program users' days begin and end. */
export function beijingDay(nowMs: number): string {
  return new Date(nowMs + BEIJING_OFFSET_MS).toISOString().slice(0, 10).replaceAll("-", "");
}

export function secondsToNextBeijingMidnight(nowMs: number): number {
  const day = 24 * 3600 * 1000;
  const local = nowMs + BEIJING_OFFSET_MS;
  return Math.ceil((Math.floor(local / day + 1) * day - local) / 1000);
}

export const storeKeys = {
  perUserIntent: (prefix: string, userId: string, intent: IntentName) => `${prefix}rl:v1:${userId}:${intent}`,
  perUser: (prefix: string, userId: string) => `${prefix}rl:v1:${userId}:all`,
  quota: (prefix: string, userId: string, nowMs: number) => `${prefix}quota:v1:${userId}:${beijingDay(nowMs)}`,
  audit: (prefix: string, traceId: string) => `${prefix}audit:v1:${traceId}`,
  cache: (prefix: string, profile: string, contentHash: string, digest: string) => `${prefix}cache:v1:${profile}:${contentHash}:${digest}`,
};
