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
  it("returns an outcome already stored without waiting for a lock someone else holds", async () => {
    const { lockKey, resultKey } = keys();
    await redis.setIfAbsent(lockKey, "someone", 10_000);
    await redis.set(resultKey, "stored", 60);
    let computed = false;
    expect(await flight({ lockKey, lockMs: 100, settled: () => redis.get(resultKey), compute: async () => ((computed = true), "x") })).toBe("stored");
    expect(computed).toBe(false);
    expect(await redis.get(lockKey)).toBe("someone");
    await redis.del(lockKey);
  });

  it("gives up at two lock lives exactly, by its clock, with a message to retry", async () => {
    const { lockKey } = keys();
    await redis.setIfAbsent(lockKey, "someone", 10_000);
    const clock = [1000, 1200, 1201, 1202];
    let reads = 0;
    const flightOnClock = createStoreFlight({ store: redis, pollMs: 1, now: () => clock.shift() ?? 9999 });
    const err = await flightOnClock({ lockKey, lockMs: 100, settled: async () => (reads++, undefined), compute: async () => "x" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503, code: "refine_pending", message: "the refinement is still being computed; try again shortly" });
    // deadline 1000 + 2 * 100 = 1200: the first check after the first read is already at it.
    expect(reads).toBe(1);
    await redis.del(lockKey);
  });

  it("polls the store every 150 ms by default", async () => {
    const { lockKey, resultKey } = keys();
    await redis.setIfAbsent(lockKey, "someone", 10_000);
    const readAt: number[] = [];
    const byDefault = createStoreFlight({ store: redis });
    await byDefault({ lockKey, lockMs: 200, settled: async () => (readAt.push(performance.now()), redis.get(resultKey)), compute: async () => "x" }).catch(() => undefined);
    expect(readAt.length).toBeGreaterThanOrEqual(2);
    // A timer never fires before its delay: each wait between reads is at least the poll interval.
    for (let i = 1; i < readAt.length; i++) expect((readAt[i] as number) - (readAt[i - 1] as number)).toBeGreaterThanOrEqual(145);
    await redis.del(lockKey);
  });
});
