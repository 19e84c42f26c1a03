// The embedded default (npm start, unit tests): the admit script's semantics in plain code,
// over one Map. Per process only: bursts over several instances need a shared store.
import { MAX_AUDITS_PER_TRACE, storeKeys } from "./storeKeys";
import { type AdmitRequest, type AdmitResult, type LimitState, type RecordRequest, type RecordResult, type Store, slidingWindowUse } from "./store";

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * Entries beyond this are evicted oldest first. Without a cap, audit records alone (kept for
 * their retention) would grow an instance's memory with every request: measured at +448 MB
 * over 100k requests before the cap.
 */
export const MEMORY_STORE_MAX_ENTRIES = 10_000;

/** One instance's Map of entries that expire, the oldest evicted past maxEntries. */
function expiringEntries(now: () => number, maxEntries: number) {
  const data = new Map<string, Entry>();
  const read = (key: string): string | undefined => {
    const entry = data.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now()) {
      data.delete(key);
      return undefined;
    }
    return entry.value;
  };
  const write = (key: string, value: string, ttlMs: number) => {
    data.set(key, { value, expiresAt: now() + ttlMs });
    while (data.size > maxEntries) data.delete(data.keys().next().value as string);
  };
  // Expired entries of keys never read again would pile up: sweep now and then.
  let writes = 0;
  const sweep = () => {
    // Stryker disable next-line UpdateOperator: counting down, -1000 % 1000 is -0, which is === 0: it sweeps every 1000th write all the same.
    if (++writes % 1000 !== 0) return;
    const t = now();
    for (const [key, entry] of data) if (entry.expiresAt <= t) data.delete(key);
  };

  // A hash is kept as one JSON object under its key: the memory store has one instance's callers only.
  const hashFields = (key: string): Record<string, string> => {
    const raw = read(key);
    return raw === undefined ? {} : (JSON.parse(raw) as Record<string, string>);
  };

  return { data, read, write, sweep, hashFields };
}

type Entries = ReturnType<typeof expiringEntries>;

/** ADMIT_SCRIPT in plain code: limits, quota, cache read, peek and budget holds in one call. */
function admitIn({ read, write, sweep, hashFields }: Entries): Store["admit"] {
  return async (request: AdmitRequest): Promise<AdmitResult> => {
    const cached = request.cacheKey ? read(request.cacheKey) : undefined;
    // Stryker disable next-line StringLiteral: Number("") is 0 as well, so "" for the absent key's "0" changes nothing.
    const quotaUsed = request.quota ? Number(read(request.quota.key) ?? "0") : 0;
    let tight: LimitState | undefined;
    const counters: { key: string; windowMs: number }[] = [];
    for (const spec of request.limits) {
      const index = Math.floor(request.nowMs / spec.windowMs);
      const key = `${spec.key}:${index}`;
      const { used, resetMs } = slidingWindowUse(request.nowMs, spec.windowMs, Number(read(key) ?? "0"), Number(read(`${spec.key}:${index - 1}`) ?? "0"));
      if (used >= spec.limit) return { outcome: "rate_limited", limit: { limit: spec.limit, remaining: 0, resetMs } };
      const remaining = spec.limit - used - 1;
      if (!tight || remaining < tight.remaining) tight = { limit: spec.limit, remaining, resetMs };
      counters.push({ key, windowMs: spec.windowMs });
    }
    if (cached === undefined && request.quota && quotaUsed >= request.quota.limit) {
      return { outcome: "quota_exceeded", quotaUsed, quotaLimit: request.quota.limit };
    }
    for (const counter of counters) {
      // Stryker disable next-line StringLiteral: Number("") is 0 as well, so "" for the absent key's "0" changes nothing.
      write(counter.key, String(Number(read(counter.key) ?? "0") + 1), counter.windowMs * 2);
      sweep();
    }
    const reserve = cached === undefined && request.quota?.reserve ? request.quota.reserve : 0;
    if (request.quota && reserve > 0) write(request.quota.key, String(quotaUsed + reserve), (request.quota.ttlSeconds ?? 0) * 1000);
    const peeked = request.peek ? { values: (request.peek.keys ?? []).map(read), hash: request.peek.hash ? hashFields(request.peek.hash) : {} } : undefined;
    const hold = cached === undefined && request.hold && request.hold.amount > 0 && request.hold.keys.length > 0 ? request.hold : undefined;
    // Stryker disable next-line StringLiteral: Number("") is 0 as well, so "" for the absent key's "0" changes nothing.
    for (const key of hold?.keys ?? []) write(key, String(Number(read(key) ?? "0") + (hold?.amount ?? 0)), (hold?.ttlSeconds ?? 0) * 1000);
    const held = hold?.amount ?? 0;
    return { outcome: "admitted", quotaUsed, reserved: reserve, ...(tight ? { limit: tight } : {}), ...(cached === undefined ? {} : { cached }), ...(peeked ? { peeked } : {}), ...(held > 0 ? { held } : {}) };
  };
}

/** record() as the Redis stores run it (AUDIT_KEEP_SCRIPT, NEWER_FIELD_SCRIPT), in plain code. */
function recordIn({ read, write, sweep, hashFields }: Entries): Store["record"] {
  // AUDIT_KEEP_SCRIPT's rule: a record never replaces an earlier one; it takes the next free slot.
  const keepAudit = ({ key, value, ttlSeconds }: { key: string; value: string; ttlSeconds: number }) => {
    for (let n = 1; n <= MAX_AUDITS_PER_TRACE; n++) {
      const slot = n === 1 ? key : storeKeys.auditAgain(key, n);
      if (read(slot) === undefined) return write(slot, value, ttlSeconds * 1000);
    }
  };

  return async (request: RecordRequest): Promise<RecordResult> => {
    if (request.quota) {
      const { key, tokens, ttlSeconds } = request.quota;
      // Stryker disable next-line StringLiteral: Number("") is 0 as well, so "" for the absent key's "0" changes nothing.
      write(key, String(Number(read(key) ?? "0") + tokens), ttlSeconds * 1000);
    }
    if (request.cache) write(request.cache.key, request.cache.value, request.cache.ttlSeconds * 1000);
    if (request.audit) keepAudit(request.audit);
    const totals = (request.increments ?? []).map(({ key, by, ttlSeconds }) => {
      // Stryker disable next-line StringLiteral: Number("") is 0 as well, so "" for the absent key's "0" changes nothing.
      const total = Number(read(key) ?? "0") + by;
      write(key, String(total), ttlSeconds * 1000);
      return total;
    });
    for (const f of request.newerFields ?? []) {
      const fields = hashFields(f.key);
      const old = fields[f.field];
      const oldAt = old === undefined ? undefined : Number((JSON.parse(old) as { at?: unknown }).at);
      if (oldAt === undefined || !(oldAt > f.atMs)) write(f.key, JSON.stringify({ ...fields, [f.field]: f.value }), f.ttlMs);
    }
    sweep();
    return { totals };
  };
}

export function createMemoryStore(now: () => number = Date.now, maxEntries = MEMORY_STORE_MAX_ENTRIES): Store {
  const entries = expiringEntries(now, maxEntries);
  const { data, read, write, sweep } = entries;
  return {
    kind: "memory",
    admit: admitIn(entries),
    record: recordIn(entries),
    async get(key) {
      return read(key);
    },
    async set(key, value, ttlSeconds) {
      write(key, value, ttlSeconds * 1000);
      sweep();
    },
    async setIfAbsent(key, value, ttlMs) {
      if (read(key) !== undefined) return false;
      write(key, value, ttlMs);
      return true;
    },
    async del(key) {
      data.delete(key);
    },
    async keys(pattern, limit) {
      const stem = pattern.endsWith("*") ? pattern.slice(0, -1) : pattern;
      const found: string[] = [];
      for (const key of data.keys()) {
        if (found.length >= limit) break;
        if ((pattern.endsWith("*") ? key.startsWith(stem) : key === stem) && read(key) !== undefined) found.push(key);
      }
      return found;
    },
    async ping() {},
    async ready() {},
    async close() {
      data.clear();
    },
  };
}
