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
  /**
   * On a miss, `amount` added to each counter (money budgets: the most this request may cost),
   * after the peek read them: parallel requests see each other's holds, as with the quota. The
   * record step releases it (a negative increment) when it charges the real cost.
   */
  hold?: { keys: readonly string[]; amount: number; ttlSeconds: number };
  /** Read along in the same trip, when admitted: plain values (today's spend) and one hash (shared breakers). */
  peek?: { keys?: readonly string[]; hash?: string };
}

/** What an admitted request read along: values in `peek.keys` order (undefined: none), the hash's fields. */
export interface Peeked {
  values: (string | undefined)[];
  hash: Record<string, string>;
}

/** The tightest limit after this request. */
export interface LimitState {
  limit: number;
  remaining: number;
  resetMs: number;
}

export type AdmitResult =
  | { outcome: "admitted"; limit?: LimitState; quotaUsed: number; cached?: string; /** Tokens reserved on the quota (0 on a hit). */ reserved: number; peeked?: Peeked; /** What `hold` added to each of its counters (absent: nothing). */ held?: number }
  | { outcome: "rate_limited"; limit: LimitState }
  | { outcome: "quota_exceeded"; quotaUsed: number; quotaLimit: number };

export interface RecordRequest {
  /** `tokens` may be negative: a settlement that gives back what a reservation did not use. */
  quota?: { key: string; tokens: number; ttlSeconds: number };
  cache?: { key: string; value: string; ttlSeconds: number };
  audit?: { key: string; value: string; ttlSeconds: number };
  /** Counters to add to (today's spend), whose new totals come back in order. */
  increments?: readonly { key: string; by: number; ttlSeconds: number }[];
  /** Hash fields written only when newer than what is there (shared breaker transitions). */
  newerFields?: readonly { key: string; field: string; value: string; atMs: number; ttlMs: number }[];
}

export interface RecordResult {
  /** The new totals of `increments`, in order. */
  totals: number[];
}

export interface Store {
  readonly kind: "memory" | "redis" | "upstash";
  /** Quota read, limits checked and charged, cache read: atomically, in one round trip. */
  admit(request: AdmitRequest): Promise<AdmitResult>;
  /** Quota charge, cache write, audit record, spend and breaker writes, in one round trip. */
  record(request: RecordRequest): Promise<RecordResult>;
  /** Plain values off the hot path (refine jobs, audit records). */
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** SET NX PX: true when this call created the key (a lock, one refresh at a time). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  del(key: string): Promise<void>;
  /** Keys matching a pattern whose only wildcard is a trailing `*`, at most `limit`: operator tools, never the hot path. */
  keys(pattern: string, limit: number): Promise<string[]>;
  ping(): Promise<void>;
  /**
   * Resolves once the backend can take commands (a TCP connection is up). A cold instance's
   * first request waits for it inside the store timeout, which measures the store and not the
   * event loop (lib/async/dependencyDeadline), so opening a connection on a busy instance does
   * not push that request into the outage policy.
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The sliding-window counter both the Lua script and the memory store compute. The previous
 * window's weighted share rounds up: rounding down let a burst that straddles a boundary in one
 * extra request (limit + 1 within a few milliseconds).
 */
export function slidingWindowUse(nowMs: number, windowMs: number, current: number, previous: number): { used: number; resetMs: number } {
  const index = Math.floor(nowMs / windowMs);
  const weight = (windowMs - (nowMs % windowMs)) / windowMs;
  return { used: Math.ceil(previous * weight) + current, resetMs: (index + 1) * windowMs - nowMs };
}
