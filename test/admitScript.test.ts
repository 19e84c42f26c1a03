// Quota reservation as the admit script does it: the keys and arguments it is called with, the
// reply it gives, and the script itself run on the real Redis at 127.0.0.1:6379 (own key prefix).
// The module is loaded once while the file is collected, and a failure to load it is kept: each
// test then fails with it, where a plain import would make the whole file not load (which
// Stryker 9.6.1 counts as a surviving mutant).
import { createHash, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdmitRequest } from "../lib/store/store";

type AdmitScriptModule = typeof import("../lib/store/admitScript");
const loaded: { module: AdmitScriptModule } | { error: unknown } = await import("../lib/store/admitScript").then(
  (module) => ({ module }),
  (error: unknown) => ({ error }),
);
const load = async (): Promise<AdmitScriptModule> => {
  if ("error" in loaded) throw loaded.error;
  return loaded.module;
};

describe("admitKeysAndArgs", () => {
  it("an empty request: no quota key, no cache key, quota limit -1, nothing reserved or peeked", async () => {
    const { admitKeysAndArgs } = await load();
    expect(admitKeysAndArgs({ nowMs: 1000, limits: [] })).toEqual({ keys: ["", ""], args: ["1000", "-1", "0", "0", "0", ""] });
  });

  it("a full request: quota, cache, peeked keys and hash, then each limit's size and window", async () => {
    const { admitKeysAndArgs } = await load();
    const request: AdmitRequest = {
      nowMs: 1_800_000_000_123,
      limits: [
        { key: "rl:a", limit: 10, windowMs: 60_000 },
        { key: "rl:b", limit: 30, windowMs: 1000 },
      ],
      quota: { key: "quota:u", limit: 5000, reserve: 700, ttlSeconds: 172_800 },
      cacheKey: "cache:k",
      peek: { keys: ["spend:1", "spend:2"], hash: "breakers" },
    };
    expect(admitKeysAndArgs(request)).toEqual({
      keys: ["quota:u", "cache:k", "rl:a", "rl:b"],
      args: ["1800000000123", "5000", "700", "172800000", "2", "breakers", "spend:1", "spend:2", "10", "60000", "30", "1000"],
    });
  });

  it("a quota without reservation or ttl, a peek without keys or hash", async () => {
    const { admitKeysAndArgs } = await load();
    expect(admitKeysAndArgs({ nowMs: 5, limits: [], quota: { key: "q", limit: 0 }, peek: {} })).toEqual({ keys: ["q", ""], args: ["5", "0", "0", "0", "0", ""] });
  });
});

describe("admitKeysAndArgs: the budget hold", () => {
  it("goes last: amount, TTL in ms, how many counters, the counters", async () => {
    const { admitKeysAndArgs } = await load();
    const { args } = admitKeysAndArgs({ nowMs: 7, limits: [{ key: "rl", limit: 3, windowMs: 1000 }], peek: { keys: ["s"] }, hold: { keys: ["h:app", "h:user"], amount: 3000, ttlSeconds: 60 } });
    expect(args).toEqual(["7", "-1", "0", "0", "1", "", "s", "3", "1000", "3000", "60000", "2", "h:app", "h:user"]);
  });
  it("is left out when there is nothing to hold, or nowhere", async () => {
    const { admitKeysAndArgs } = await load();
    expect(admitKeysAndArgs({ nowMs: 7, limits: [], hold: { keys: ["h"], amount: 0, ttlSeconds: 60 } }).args).toEqual(["7", "-1", "0", "0", "0", ""]);
    expect(admitKeysAndArgs({ nowMs: 7, limits: [], hold: { keys: [], amount: 5, ttlSeconds: 60 } }).args).toEqual(["7", "-1", "0", "0", "0", ""]);
  });
});

describe("admitResultOf", () => {
  it("admitted: the tightest limit, quota used, the cached reply, what was reserved and peeked", async () => {
    const { admitResultOf } = await load();
    expect(admitResultOf([0, 10, 7, 30_000, 120, "cached reply", 0, ["12", "", false, null], ["p/m", "open", "p/n", "closed"]])).toStrictEqual({
      outcome: "admitted",
      quotaUsed: 120,
      reserved: 0,
      limit: { limit: 10, remaining: 7, resetMs: 30_000 },
      cached: "cached reply",
      peeked: { values: ["12", undefined, undefined, undefined], hash: { "p/m": "open", "p/n": "closed" } },
    });
  });

  it("numbers may come back as strings; a limit of -1 means no limit, 0 is a limit", async () => {
    const { admitResultOf } = await load();
    expect(admitResultOf(["0", "-1", "-1", "0", "300", false, "250", [], []])).toStrictEqual({ outcome: "admitted", quotaUsed: 300, reserved: 250, peeked: { values: [], hash: {} } });
    expect(admitResultOf([0, 0, 0, 5, 0, false, 0, [], []])).toMatchObject({ limit: { limit: 0, remaining: 0, resetMs: 5 } });
  });

  it("says what it held, when it held anything", async () => {
    const { admitResultOf } = await load();
    expect(admitResultOf([0, -1, -1, 0, 0, false, 0, [], [], 3000])).toStrictEqual({ outcome: "admitted", quotaUsed: 0, reserved: 0, peeked: { values: [], hash: {} }, held: 3000 });
    expect(admitResultOf([0, -1, -1, 0, 0, false, 0, [], [], "12"])).toMatchObject({ held: 12 });
    expect(admitResultOf([0, -1, -1, 0, 0, false, 0, [], [], 0])).not.toHaveProperty("held");
  });

  it("an older reply without the reserved and peeked slots reserves 0 and peeks nothing", async () => {
    const { admitResultOf } = await load();
    expect(admitResultOf([0, -1, -1, 0, 0, false])).toStrictEqual({ outcome: "admitted", quotaUsed: 0, reserved: 0 });
  });

  it("a hash with an odd number of items drops the field without a value; values of any type become strings", async () => {
    const { admitResultOf } = await load();
    expect(admitResultOf([0, -1, -1, 0, 0, false, 0, [7, "x", undefined], ["a", "1", "b"]])).toStrictEqual({ outcome: "admitted", quotaUsed: 0, reserved: 0, peeked: { values: ["7", "x", undefined], hash: { a: "1" } } });
    expect(admitResultOf([0, -1, -1, 0, 0, false, 0, [], "not a hash"])).toStrictEqual({ outcome: "admitted", quotaUsed: 0, reserved: 0, peeked: { values: [], hash: {} } });
  });

  it("rate limited and quota exceeded", async () => {
    const { admitResultOf } = await load();
    expect(admitResultOf([1, 10, 0, 4500])).toStrictEqual({ outcome: "rate_limited", limit: { limit: 10, remaining: 0, resetMs: 4500 } });
    expect(admitResultOf(["2", "1200", "1000", "0"])).toStrictEqual({ outcome: "quota_exceeded", quotaUsed: 1200, quotaLimit: 1000 });
  });

  it("refuses a reply that is not an array, or an unknown status", async () => {
    const { admitResultOf } = await load();
    expect(() => admitResultOf("OK")).toThrow("admit script: unexpected reply");
    expect(() => admitResultOf(null)).toThrow("admit script: unexpected reply");
    expect(() => admitResultOf([3, 0, 0, 0])).toThrow("admit script: unknown status");
  });
});

describe("the admit script on Redis", () => {
  let redis: Redis;
  let p: string;
  beforeAll(() => {
    redis = new Redis("redis://127.0.0.1:6379");
    p = `test:${randomUUID()}:`;
  });
  afterAll(async () => {
    const keys = await redis.keys(`${p}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  async function run(request: AdmitRequest) {
    const { ADMIT_SCRIPT, admitKeysAndArgs, admitResultOf } = await load();
    const { keys, args } = admitKeysAndArgs(request);
    return admitResultOf(await redis.eval(ADMIT_SCRIPT, keys.length, ...keys, ...args));
  }

  const T0 = 1_800_000_000_000;

  it("its SHA is the one Redis gives it", async () => {
    const { ADMIT_SCRIPT, ADMIT_SCRIPT_SHA } = await load();
    expect(ADMIT_SCRIPT_SHA).toBe(createHash("sha1").update(ADMIT_SCRIPT).digest("hex"));
    expect(await redis.script("LOAD", ADMIT_SCRIPT)).toBe(ADMIT_SCRIPT_SHA);
  });

  it("reserves on a miss, with the quota key's expiry in ms; refuses at the quota", async () => {
    const quota = { key: `${p}quota`, limit: 1000, reserve: 600, ttlSeconds: 100 };
    expect(await run({ nowMs: T0, limits: [], quota })).toStrictEqual({ outcome: "admitted", quotaUsed: 0, reserved: 600, peeked: { values: [], hash: {} } });
    expect(await redis.get(quota.key)).toBe("600");
    const pttl = await redis.pttl(quota.key);
    expect(pttl).toBeGreaterThan(90_000);
    expect(pttl).toBeLessThanOrEqual(100_000);
    expect(await run({ nowMs: T0, limits: [], quota })).toMatchObject({ outcome: "admitted", quotaUsed: 600, reserved: 600 });
    expect(await run({ nowMs: T0, limits: [], quota })).toStrictEqual({ outcome: "quota_exceeded", quotaUsed: 1200, quotaLimit: 1000 });
    expect(await redis.get(quota.key)).toBe("1200");
  });

  it("a cache hit reserves nothing and is served past the quota", async () => {
    await redis.set(`${p}cache`, '{"a":1}', "EX", 60);
    await redis.set(`${p}q2`, "5000", "EX", 60);
    expect(await run({ nowMs: T0, limits: [], quota: { key: `${p}q2`, limit: 1000, reserve: 100, ttlSeconds: 60 }, cacheKey: `${p}cache` })).toMatchObject({ outcome: "admitted", quotaUsed: 5000, reserved: 0, cached: '{"a":1}' });
    expect(await redis.get(`${p}q2`)).toBe("5000");
  });

  it("charges limits together, reports the tightest, refuses with the time to reset", async () => {
    const limits = [
      { key: `${p}rl:a`, limit: 2, windowMs: 60_000 },
      { key: `${p}rl:b`, limit: 10, windowMs: 60_000 },
    ];
    expect(await run({ nowMs: T0 + 1000, limits })).toMatchObject({ outcome: "admitted", limit: { limit: 2, remaining: 1, resetMs: 59_000 } });
    await run({ nowMs: T0 + 1000, limits });
    expect(await run({ nowMs: T0 + 1000, limits })).toStrictEqual({ outcome: "rate_limited", limit: { limit: 2, remaining: 0, resetMs: 59_000 } });
    expect(await redis.get(`${p}rl:b:${T0 / 60_000}`)).toBe("2");
  });

  it("reads peeked keys and a hash along", async () => {
    await redis.set(`${p}spend`, "42", "EX", 60);
    await redis.hset(`${p}breakers`, "p/m", "open");
    expect(await run({ nowMs: T0, limits: [], peek: { keys: [`${p}spend`, `${p}none`], hash: `${p}breakers` } })).toMatchObject({
      peeked: { values: ["42", undefined], hash: { "p/m": "open" } },
    });
  });
});
