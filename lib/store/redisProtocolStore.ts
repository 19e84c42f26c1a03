// What the Redis-protocol backends share: the admit script, the record transaction and plain
// values. Redis over TCP and Upstash over HTTPS differ only in how a command travels, which
// is all their adapters say.
import { type ScriptRunner, evalAdmit } from "./evalAdmit";
import type { RecordRequest, Store } from "./store";

/** MULTI ... EXEC: queued commands, sent and applied together. */
export interface RedisTransaction {
  incrby(key: string, by: number): RedisTransaction;
  expire(key: string, seconds: number): RedisTransaction;
  setEx(key: string, value: string, seconds: number): RedisTransaction;
  exec(): Promise<void>;
}

/** The few commands the store uses, over one transport. */
export interface RedisConnection extends ScriptRunner {
  transaction(): RedisTransaction;
  get(key: string): Promise<string | undefined>;
  setEx(key: string, value: string, seconds: number): Promise<void>;
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
    async record({ quota, cache, audit }: RecordRequest) {
      if (!quota && !cache && !audit) return;
      const tx = (await connect()).transaction();
      if (quota) tx.incrby(quota.key, quota.tokens).expire(quota.key, quota.ttlSeconds);
      for (const entry of [cache, audit]) if (entry) tx.setEx(entry.key, entry.value, entry.ttlSeconds);
      await tx.exec();
    },
    async get(key) {
      return (await connect()).get(key);
    },
    async set(key, value, ttlSeconds) {
      await (await connect()).setEx(key, value, ttlSeconds);
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
