// Every key the backend writes, in one place. `prefix` separates environments (and test runs)
// sharing one Redis; the version segment lets a key format change without reading old data.
import { beijingDayKey } from "../time/beijingTime";

/** Quota counters outlive their Beijing day by one, so a late settlement still finds its key. */
export const QUOTA_TTL_SECONDS = 2 * 24 * 3600;

/**
 * Records kept for one traceId and user: a client that re-sends its traceId gets a record per
 * request up to this many (the report and replay read each), and past it the first ones stay.
 */
export const MAX_AUDITS_PER_TRACE = 20;

export const storeKeys = {
  perUserIntent: (prefix: string, userId: string, intent: string) => `${prefix}rl:v1:${userId}:${intent}`,
  perUser: (prefix: string, userId: string) => `${prefix}rl:v1:${userId}:all`,
  /** Traffic without a valid token, per client IP (logins, failed tokens). */
  perIp: (prefix: string, ip: string) => `${prefix}rl:v1:ip:${ip.replace(/[^\w.:-]/g, "_").slice(0, 64)}`,
  quota: (prefix: string, userId: string, nowMs: number) => `${prefix}quota:v1:${userId}:${beijingDayKey(nowMs)}`,
  /** By traceId and the user's audit hash: a traceId reused by another user never lands on this one's record. */
  audit: (prefix: string, traceId: string, userHash: string) => `${prefix}audit:v1:${traceId}:${userHash}`,
  auditsOfTrace: (prefix: string, traceId: string) => `${prefix}audit:v1:${traceId}:*`,
  /** The n-th record (n >= 2) of a traceId the same user sent again: the first one is never overwritten. */
  auditAgain: (auditKey: string, n: number) => `${auditKey}:${n}`,
  cache: (prefix: string, profile: string, contentHash: string, digest: string) => `${prefix}cache:v1:${profile}:${contentHash}:${digest}`,
  refine: (prefix: string, id: string) => `${prefix}refine:v1:${id}`,
  /** Who is computing a job's refinement now (single flight): outside refine:v1:*, so a scan of jobs lists no locks. */
  refineLock: (prefix: string, id: string) => `${prefix}refine-lock:v1:${id}`,
};
