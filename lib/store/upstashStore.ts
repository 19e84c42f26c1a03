// Upstash over HTTPS (@upstash/redis): fine overseas or at low volume; from mainland China it
// is a cross-border hop (no mainland region), hence the TCP backend beside it.
import type { Redis } from "@upstash/redis";
import { type RedisConnection, type RedisTransaction, createRedisProtocolStore } from "./redisProtocolStore";
import type { Store } from "./store";

function transactionOf(multi: ReturnType<Redis["multi"]>): RedisTransaction {
  const tx: RedisTransaction = {
    incrby: (key, by) => (multi.incrby(key, by), tx),
    expire: (key, seconds) => (multi.expire(key, seconds), tx),
    setEx: (key, value, seconds) => (multi.set(key, value, { ex: seconds }), tx),
    eval: (script, keys, args) => (multi.eval(script, keys, args), tx),
    async exec() {
      return multi.exec();
    },
  };
  return tx;
}

function connectionOf(redis: Redis): RedisConnection {
  return {
    evalsha: (sha, keys, args) => redis.evalsha(sha, keys, args),
    eval: (script, keys, args) => redis.eval(script, keys, args),
    transaction: () => transactionOf(redis.multi()),
    get: async (key) => (await redis.get<string>(key)) ?? undefined,
    setEx: async (key, value, seconds) => void (await redis.set(key, value, { ex: seconds })),
    setNxPx: async (key, value, ms) => (await redis.set(key, value, { px: ms, nx: true })) === "OK",
    del: async (key) => void (await redis.del(key)),
    scan: async (cursor, match) => {
      const [next, keys] = await redis.scan(cursor, { match, count: 500 });
      return [String(next), keys];
    },
    ping: async () => void (await redis.ping()),
  };
}

export function createUpstashStore(url: string, token: string): Store {
  let client: Promise<RedisConnection> | undefined;
  const connect = () =>
    (client ??= import("@upstash/redis").then(
      ({ Redis: UpstashRedis }) =>
        // Its own retries (5, with backoff) would outlast our store timeout; values are ours to
        // decode; its errors quote whole commands, so they are never logged as they are.
        connectionOf(new UpstashRedis({ url, token, automaticDeserialization: false, retry: false, enableTelemetry: false })),
    ));
  return createRedisProtocolStore("upstash", connect, async () => {
    client = undefined;
  });
}
