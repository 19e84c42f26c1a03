// The TokenStore that lib/contentSecurity asks for, over a real Redis (one connection per
// "instance", so tests can stand up instances that share nothing but Redis) and in memory.
// Every Redis key lives under a random prefix the test can remove afterwards.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { TokenStore } from "../../lib/contentSecurity/accessToken";

export const REDIS_URL = process.env.MINIASK_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface RedisTokenStore extends TokenStore {
  /** Store calls made through this instance, by method. */
  counts: Record<"get" | "set" | "setIfAbsent" | "del", number>;
  close(): Promise<void>;
}

export const testPrefix = () => `test:${randomUUID()}:`;

export function createRedisTokenStore(url = REDIS_URL): RedisTokenStore {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const counts = { get: 0, set: 0, setIfAbsent: 0, del: 0 };
  return {
    counts,
    async get(key) {
      counts.get++;
      return (await redis.get(key)) ?? undefined;
    },
    async set(key, value, ttlSeconds) {
      counts.set++;
      await redis.set(key, value, "EX", ttlSeconds);
    },
    async setIfAbsent(key, value, ttlMs) {
      counts.setIfAbsent++;
      return (await redis.set(key, value, "PX", ttlMs, "NX")) === "OK";
    },
    async del(key) {
      counts.del++;
      await redis.del(key);
    },
    async close() {
      redis.disconnect();
    },
  };
}

/** Deletes every key under `prefix` (SCAN, not KEYS: other people share this Redis). */
export async function deletePrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 200);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/** The same contract in memory, TTLs on an injectable clock. */
export function createMemoryTokenStore(now: () => number = Date.now): TokenStore & { entries: Map<string, { value: string; expiresAtMs: number }> } {
  const entries = new Map<string, { value: string; expiresAtMs: number }>();
  const live = (key: string) => {
    const e = entries.get(key);
    if (e && e.expiresAtMs <= now()) entries.delete(key);
    return entries.get(key);
  };
  return {
    entries,
    async get(key) {
      return live(key)?.value;
    },
    async set(key, value, ttlSeconds) {
      entries.set(key, { value, expiresAtMs: now() + ttlSeconds * 1000 });
    },
    async setIfAbsent(key, value, ttlMs) {
      if (live(key)) return false;
      entries.set(key, { value, expiresAtMs: now() + ttlMs });
      return true;
    },
    async del(key) {
      entries.delete(key);
    },
  };
}
