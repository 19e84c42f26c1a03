// Redis over TCP: TencentDB for Redis inside the function's VPC (Upstash has no mainland
// region). The client is created on first use and kept by the warm instance.
import type { Redis } from "ioredis";
import { evalAdmit } from "./evalAdmit";
import type { Store } from "./store";

export function createRedisStore(url: string): Store {
  let client: Promise<Redis> | undefined;
  const connect = () =>
    (client ??= import("ioredis").then((mod) => {
      // ioredis is CommonJS: Node's loader exposes its named export, a bundle only `default`.
      const RedisClient = (mod.Redis ?? (mod as unknown as { default: typeof mod.Redis }).default) as typeof mod.Redis;
      const redis = new RedisClient(url, {
        // Fail a command fast rather than queue it for long: the caller has its own timeout
        // and a fail-open/closed policy.
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        retryStrategy: (times) => Math.min(times * 200, 2000),
      });
      // Connection errors surface on the commands (and in our warning line); without a
      // listener ioredis would also print each reconnect failure to stderr.
      redis.on("error", () => undefined);
      return redis;
    }));
  return {
    kind: "redis",
    async admit(request) {
      const redis = await connect();
      return evalAdmit(
        {
          evalsha: (sha, keys, args) => redis.evalsha(sha, keys.length, ...keys, ...args),
          eval: (script, keys, args) => redis.eval(script, keys.length, ...keys, ...args),
        },
        request,
      );
    },
    async record({ quota, cache, audit }) {
      if (!quota && !cache && !audit) return;
      const tx = (await connect()).multi();
      if (quota) tx.incrby(quota.key, quota.tokens).expire(quota.key, quota.ttlSeconds);
      for (const entry of [cache, audit]) if (entry) tx.set(entry.key, entry.value, "EX", entry.ttlSeconds);
      const results = await tx.exec();
      const failed = results?.find(([err]) => err);
      if (failed?.[0]) throw failed[0];
    },
    async get(key) {
      return (await (await connect()).get(key)) ?? undefined;
    },
    async set(key, value, ttlSeconds) {
      await (await connect()).set(key, value, "EX", ttlSeconds);
    },
    async ping() {
      await (await connect()).ping();
    },
    async close() {
      if (client) (await client).disconnect();
      client = undefined;
    },
  };
}
