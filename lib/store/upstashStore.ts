// Upstash over HTTPS (@upstash/redis): fine overseas or at low volume; from mainland China it
// is a cross-border hop (no mainland region), hence the TCP backend beside it.
import type { Redis } from "@upstash/redis";
import { evalAdmit } from "./evalAdmit";
import type { Store } from "./store";

export function createUpstashStore(url: string, token: string): Store {
  let client: Promise<Redis> | undefined;
  const connect = () =>
    (client ??= import("@upstash/redis").then(
      ({ Redis: UpstashRedis }) =>
        // Its own retries (5, with backoff) would outlast our store timeout; values are ours to
        // decode; its errors quote whole commands, so they are never logged as they are.
        new UpstashRedis({ url, token, automaticDeserialization: false, retry: false, enableTelemetry: false }),
    ));
  return {
    kind: "upstash",
    async admit(request) {
      const redis = await connect();
      return evalAdmit({ evalsha: (sha, keys, args) => redis.evalsha(sha, keys, args), eval: (script, keys, args) => redis.eval(script, keys, args) }, request);
    },
    async record({ quota, cache, audit }) {
      if (!quota && !cache && !audit) return;
      const tx = (await connect()).multi();
      if (quota) tx.incrby(quota.key, quota.tokens).expire(quota.key, quota.ttlSeconds);
      for (const entry of [cache, audit]) if (entry) tx.set(entry.key, entry.value, { ex: entry.ttlSeconds });
      await tx.exec();
    },
    async get(key) {
      return (await (await connect()).get<string>(key)) ?? undefined;
    },
    async set(key, value, ttlSeconds) {
      await (await connect()).set(key, value, { ex: ttlSeconds });
    },
    async ping() {
      await (await connect()).ping();
    },
    async close() {
      client = undefined;
    },
  };
}
