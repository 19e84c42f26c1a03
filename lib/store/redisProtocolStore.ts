// What the Redis-protocol backends share: the admit script, the record transaction and plain
// values. Redis over TCP and Upstash over HTTPS differ only in how a command travels, which
// is all their adapters say.
import { type ScriptRunner, evalAdmit } from "./evalAdmit";
import type { RecordRequest, Store } from "./store";
import { MAX_AUDITS_PER_TRACE } from "./storeKeys";

/**
 * Sets a hash field only when the value is newer than the one there (by its `at`): a slow
 * request's "opened at t1" landing after another instance's "closed at t2 > t1" must not win.
 */
export const NEWER_FIELD_SCRIPT = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local ok, old = pcall(cjson.decode, current)
  if ok and type(old) == 'table' and tonumber(old['at']) and tonumber(old['at']) > tonumber(ARGV[3]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

/**
 * Writes an audit record where none is yet: the key itself, else `<key>:2`, `:3`, ... up to
 * ARGV[3] (storeKeys.auditAgain). A client re-sending its traceId must not replace the record of
 * an earlier request (a 400 once replaced one with 5,400 tokens and its cost). Returns the key
 * written, or nothing when all were taken (the first records stay).
 */
export const AUDIT_KEEP_SCRIPT = `
for i = 1, tonumber(ARGV[3]) do
  local key = KEYS[1]
  if i > 1 then key = KEYS[1] .. ':' .. i end
  if redis.call('SET', key, ARGV[1], 'NX', 'EX', ARGV[2]) then return key end
end
return false
`;

/** MULTI ... EXEC: queued commands, sent and applied together. */
export interface RedisTransaction {
  incrby(key: string, by: number): RedisTransaction;
  expire(key: string, seconds: number): RedisTransaction;
  setEx(key: string, value: string, seconds: number): RedisTransaction;
  eval(script: string, keys: string[], args: string[]): RedisTransaction;
  /** Each queued command's reply, in order; throws if any failed. */
  exec(): Promise<unknown[]>;
}

/** The few commands the store uses, over one transport. */
export interface RedisConnection extends ScriptRunner {
  transaction(): RedisTransaction;
  get(key: string): Promise<string | undefined>;
  setEx(key: string, value: string, seconds: number): Promise<void>;
  setNxPx(key: string, value: string, ms: number): Promise<boolean>;
  del(key: string): Promise<void>;
  /** One SCAN step: the next cursor ("0" when done) and the keys it found. */
  scan(cursor: string, match: string): Promise<[string, string[]]>;
  ping(): Promise<void>;
}

export function createRedisProtocolStore(kind: "redis" | "upstash", connect: () => Promise<RedisConnection>, disconnect: () => Promise<void>, ready: () => Promise<void> = async () => void (await connect())): Store {
  return {
    kind,
    ready,
    async admit(request) {
      return evalAdmit(await connect(), request);
    },
    async record({ quota, cache, audit, increments = [], newerFields = [] }: RecordRequest) {
      if (!quota && !cache && !audit && increments.length === 0 && newerFields.length === 0) return { totals: [] };
      const tx = (await connect()).transaction();
      let queued = 0;
      if (quota) (tx.incrby(quota.key, quota.tokens).expire(quota.key, quota.ttlSeconds), (queued += 2));
      if (cache) (tx.setEx(cache.key, cache.value, cache.ttlSeconds), queued++);
      if (audit) (tx.eval(AUDIT_KEEP_SCRIPT, [audit.key], [audit.value, String(audit.ttlSeconds), String(MAX_AUDITS_PER_TRACE)]), queued++);
      const totalsAt: number[] = [];
      for (const inc of increments) {
        totalsAt.push(queued);
        tx.incrby(inc.key, inc.by).expire(inc.key, inc.ttlSeconds);
        queued += 2;
      }
      for (const f of newerFields) tx.eval(NEWER_FIELD_SCRIPT, [f.key], [f.field, f.value, String(f.atMs), String(f.ttlMs)]);
      const replies = await tx.exec();
      return { totals: totalsAt.map((i) => Number(replies[i])) };
    },
    async get(key) {
      return (await connect()).get(key);
    },
    async set(key, value, ttlSeconds) {
      await (await connect()).setEx(key, value, ttlSeconds);
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await connect()).setNxPx(key, value, ttlMs);
    },
    async del(key) {
      await (await connect()).del(key);
    },
    async keys(pattern, limit) {
      const connection = await connect();
      const found = new Set<string>();
      let cursor = "0";
      do {
        const [next, keys] = await connection.scan(cursor, pattern);
        for (const key of keys) found.add(key);
        cursor = next;
      } while (cursor !== "0" && found.size < limit);
      return [...found].slice(0, limit);
    },
    async ping() {
      await (await connect()).ping();
    },
    close: disconnect,
  };
}
