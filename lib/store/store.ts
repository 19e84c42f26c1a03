// The one interface every backend (memory, Redis over TCP, Upstash REST) implements. Each
// method is one round trip: admit() before the model call, record() after it.

export interface LimitSpec {
  /** Key prefix; the backend appends the window index. */
  key: string;
  limit: number;
  windowMs: number;
}

export interface AdmitRequest {
  nowMs: number;
  /** Sliding-window limits, checked together and charged together (all or none). */
  limits: readonly LimitSpec[];
  /**
   * Read (refused at or past `limit`), then, on a miss, `reserve` tokens charged at once: what the
   * request may spend, settled with its real usage by the record step. So parallel requests see
   * each other and the day's total overshoots by one request's usage at most.
   */
  quota?: { key: string; limit: number; reserve?: number; ttlSeconds?: number };
  cacheKey?: string;
}

/** The tightest limit after this request. */
export interface LimitState {
  limit: number;
  remaining: number;
  resetMs: number;
}

export type AdmitResult =
  | { outcome: "admitted"; limit?: LimitState; quotaUsed: number; cached?: string; /** Tokens reserved on the quota (0 on a hit). */ reserved: number }
  | { outcome: "rate_limited"; limit: LimitState }
  | { outcome: "quota_exceeded"; quotaUsed: number; quotaLimit: number };

export interface RecordRequest {
  /** `tokens` may be negative: a settlement that gives back what a reservation did not use. */
  quota?: { key: string; tokens: number; ttlSeconds: number };
  cache?: { key: string; value: string; ttlSeconds: number };
  audit?: { key: string; value: string; ttlSeconds: number };
}

export interface Store {
  readonly kind: "memory" | "redis" | "upstash";
  /** Quota read, limits checked and charged, cache read: atomically, in one round trip. */
  admit(request: AdmitRequest): Promise<AdmitResult>;
  /** Quota charge, cache write and audit record, in one round trip. */
  record(request: RecordRequest): Promise<void>;
  /** Plain values off the hot path (refine jobs, audit records). */
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Keys matching a pattern whose only wildcard is a trailing `*`, at most `limit`: operator tools, never the hot path. */
  keys(pattern: string, limit: number): Promise<string[]>;
  ping(): Promise<void>;
  /**
   * Resolves once the backend can take commands (a TCP connection is up). A cold instance's
   * first request waits for it under a connect timeout, not the store timeout: opening a
   * connection is not a slow store, and must not push that request into the outage policy.
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** The sliding-window counter both the Lua script and the memory store compute. */
export function slidingWindowUse(nowMs: number, windowMs: number, current: number, previous: number): { used: number; resetMs: number } {
  const index = Math.floor(nowMs / windowMs);
  const weight = (windowMs - (nowMs % windowMs)) / windowMs;
  return { used: Math.floor(previous * weight) + current, resetMs: (index + 1) * windowMs - nowMs };
}
