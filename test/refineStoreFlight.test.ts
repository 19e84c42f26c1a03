// One refinement across instances through the store's lock (SET NX PX on the real Redis): a
// follower waits for the holder's outcome; a holder that froze lets its lock expire and the
// next caller computes; a lock that outlives every wait is a 503 to retry, never a second call.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { AppError } from "../lib/appError";
import { createStoreFlight } from "../lib/refine/storeFlight";
import { createRedisStore } from "../lib/store/redisStore";

describe("storeFlight (real Redis)", () => {
  const redis = createRedisStore("redis://127.0.0.1:6379");
  afterAll(() => redis.close());
  const keys = () => {
    const base = `test:${randomUUID()}:flight`;
    return { lockKey: `${base}:lock`, resultKey: `${base}:result` };
  };
  const flight = createStoreFlight({ store: redis, pollMs: 20 });

  it("computes once for two callers: the follower reads the holder's stored outcome", async () => {
    const { lockKey, resultKey } = keys();
    let computed = 0;
    const run = () =>
      flight({
        lockKey,
        lockMs: 5000,
        settled: () => redis.get(resultKey),
        compute: async () => {
          computed++;
          await new Promise((r) => setTimeout(r, 200));
          await redis.set(resultKey, "refined", 60);
          return "refined";
        },
      });
    expect(await Promise.all([run(), run()])).toEqual(["refined", "refined"]);
    expect(computed).toBe(1);
    // The holder let its lock go with its outcome stored.
    expect(await redis.get(lockKey)).toBeUndefined();
  });

  it("takes over from a holder that froze: its lock expires and this caller computes", async () => {
    const { lockKey, resultKey } = keys();
    expect(await redis.setIfAbsent(lockKey, "frozen-instance", 300)).toBe(true);
    const started = Date.now();
    const value = await flight({ lockKey, lockMs: 300, settled: () => redis.get(resultKey), compute: async () => "mine" });
    expect(value).toBe("mine");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("answers 503 refine_pending when the lock outlives two of its lives, without computing", async () => {
    const { lockKey, resultKey } = keys();
    await redis.setIfAbsent(lockKey, "someone", 10_000);
    let computed = false;
    const err = await flight({ lockKey, lockMs: 100, settled: () => redis.get(resultKey), compute: async () => ((computed = true), "x") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 503, code: "refine_pending", headers: { "retry-after": "2" } });
    expect(computed).toBe(false);
    await redis.del(lockKey);
  });

  it("releases the lock when the computation fails, so the next caller need not wait", async () => {
    const { lockKey, resultKey } = keys();
    await expect(flight({ lockKey, lockMs: 10_000, settled: () => redis.get(resultKey), compute: async () => Promise.reject(new Error("provider down")) })).rejects.toThrow("provider down");
    expect(await redis.get(lockKey)).toBeUndefined();
  });

  it("serves an outcome stored between its read and its lock without computing", async () => {
    const { lockKey } = keys();
    let reads = 0;
    const value = await flight({
      lockKey,
      lockMs: 5000,
      // The first read misses; by the second, another instance has stored the outcome.
      settled: async () => (reads++ === 0 ? undefined : "theirs"),
      compute: async () => "mine",
    });
    expect(value).toBe("theirs");
  });
});
