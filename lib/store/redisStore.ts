// Redis over TCP: TencentDB for Redis inside the function's VPC (Upstash has no mainland
// region). The client is created on first use and kept by the warm instance.
import type { ChainableCommander, Redis } from "ioredis";
import { type RedisConnection, type RedisTransaction, createRedisProtocolStore } from "./redisProtocolStore";
import type { Store } from "./store";

function transactionOf(multi: ChainableCommander): RedisTransaction {
  const tx: RedisTransaction = {
    incrby: (key, by) => (multi.incrby(key, by), tx),
    expire: (key, seconds) => (multi.expire(key, seconds), tx),
    setEx: (key, value, seconds) => (multi.set(key, value, "EX", seconds), tx),
    eval: (script, keys, args) => (multi.eval(script, keys.length, ...keys, ...args), tx),
    async exec() {
      const results = (await multi.exec()) ?? [];
      const failed = results.find(([err]) => err);
      if (failed?.[0]) throw failed[0];
      return results.map(([, reply]) => reply);
    },
  };
  return tx;
}

function connectionOf(redis: Redis): RedisConnection {
  return {
    evalsha: (sha, keys, args) => redis.evalsha(sha, keys.length, ...keys, ...args),
    eval: (script, keys, args) => redis.eval(script, keys.length, ...keys, ...args),
    transaction: () => transactionOf(redis.multi()),
    get: async (key) => (await redis.get(key)) ?? undefined,
    setEx: async (key, value, seconds) => void (await redis.set(key, value, "EX", seconds)),
    setNxPx: async (key, value, ms) => (await redis.set(key, value, "PX", ms, "NX")) === "OK",
    del: async (key) => void (await redis.del(key)),
    scan: async (cursor, match) => redis.scan(cursor, "MATCH", match, "COUNT", 500),
    ping: async () => void (await redis.ping()),
  };
}

export function createRedisStore(url: string): Store {
  let client: Promise<{ redis: Redis; connection: RedisConnection }> | undefined;
  let connectedOnce = false;
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
      redis.once("ready", () => (connectedOnce = true));
      return { redis, connection: connectionOf(redis) };
    }));
  return createRedisProtocolStore(
    "redis",
    async () => (await connect()).connection,
    async () => {
      if (client) (await client).redis.disconnect();
      client = undefined;
    },
    // Only the first connection is waited for: once it has been up, a store that drops is an
    // outage, and requests meet the store timeout and the outage policy at once.
    async () => {
      const { redis } = await connect();
      if (connectedOnce || redis.status === "ready") return;
      await new Promise<void>((resolve, reject) => {
        const done = (err?: Error) => {
          redis.off("ready", onReady);
          redis.off("error", onError);
          if (err) reject(err);
          else resolve();
        };
        const onReady = () => done();
        const onError = (err: Error) => done(err);
        redis.once("ready", onReady);
        redis.once("error", onError);
      });
    },
  );
}
