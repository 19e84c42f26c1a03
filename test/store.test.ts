// One suite, three backends: the memory store, Redis over TCP (the real 127.0.0.1:6379) and
// Upstash REST (a bridge in front of that same Redis). Same inputs, same answers.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIT_SCRIPT_SHA } from "../lib/store/admitScript";
import { checkStore, createStore } from "../lib/store/createStore";
import { createMemoryStore } from "../lib/store/memoryStore";
import { createRedisStore } from "../lib/store/redisStore";
import type { Store } from "../lib/store/store";
import { MAX_AUDITS_PER_TRACE } from "../lib/store/storeKeys";
import { createUpstashStore } from "../lib/store/upstashStore";
import { type UpstashBridge, startUpstashBridge } from "./support/upstashBridge";

const REDIS_URL = "redis://127.0.0.1:6379";
let bridge: UpstashBridge;
let direct: Redis;
beforeAll(async () => {
  bridge = await startUpstashBridge(REDIS_URL);
  direct = new Redis(REDIS_URL);
});
afterAll(async () => {
  await bridge.close();
  direct.disconnect();
});

const backends: [string, () => Store][] = [
  ["memory", () => createMemoryStore()],
  ["redis", () => createRedisStore(REDIS_URL)],
  ["upstash", () => createUpstashStore(bridge.url, bridge.token)],
];

describe.each(backends)("%s store", (kind, make) => {
  let store: Store;
  let p: string;
  beforeAll(() => {
    store = make();
  });
  afterAll(() => store.close());
  // Every test its own keys: runs never see each other's counters.
  const key = (name: string) => `test:${p}:${name}`;
  const fresh = () => {
    p = randomUUID();
  };
  const T0 = 1_800_000_000_000; // a window boundary for 1 s and 60 s windows

  it("admits up to the limit, then refuses with the time to reset", async () => {
    fresh();
    const limits = [{ key: key("rl"), limit: 3, windowMs: 60_000 }];
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await store.admit({ nowMs: T0 + 1000, limits }));
    expect(results.slice(0, 3).map((r) => r.outcome === "admitted" && r.limit?.remaining)).toEqual([2, 1, 0]);
    expect(results[3]).toEqual({ outcome: "rate_limited", limit: { limit: 3, remaining: 0, resetMs: 59_000 } });
  });

  it("weighs the previous window as it slides out", async () => {
    fresh();
    const limits = [{ key: key("rl"), limit: 10, windowMs: 1000 }];
    for (let i = 0; i < 10; i++) expect((await store.admit({ nowMs: T0 + 100, limits })).outcome).toBe("admitted");
    expect((await store.admit({ nowMs: T0 + 900, limits })).outcome).toBe("rate_limited");
    // Half-way through the next window, 10 * 0.5 = 5 still count: 5 more fit.
    const later = [];
    for (let i = 0; i < 6; i++) later.push((await store.admit({ nowMs: T0 + 1500, limits })).outcome);
    expect(later).toEqual(["admitted", "admitted", "admitted", "admitted", "admitted", "rate_limited"]);
  });

  it("admits no more than the limit to a burst that straddles a window boundary", async () => {
    fresh();
    const limits = [{ key: key("rl"), limit: 10, windowMs: 1000 }];
    const outcomes = [];
    // 5 in the last millisecond of one window, then 6 in the first ones of the next: 10 fit.
    for (let i = 0; i < 5; i++) outcomes.push((await store.admit({ nowMs: T0 + 999, limits })).outcome);
    for (let i = 0; i < 6; i++) outcomes.push((await store.admit({ nowMs: T0 + 1001, limits })).outcome);
    expect(outcomes.filter((o) => o === "admitted")).toHaveLength(10);
    expect(outcomes.at(-1)).toBe("rate_limited");
  });

  it("charges every limit or none, and reports the tightest", async () => {
    fresh();
    const perIntent = { key: key("intent"), limit: 2, windowMs: 60_000 };
    const perUser = { key: key("user"), limit: 5, windowMs: 60_000 };
    const first = await store.admit({ nowMs: T0, limits: [perIntent, perUser] });
    expect(first).toMatchObject({ outcome: "admitted", limit: { limit: 2, remaining: 1 } });
    await store.admit({ nowMs: T0, limits: [perIntent, perUser] });
    expect((await store.admit({ nowMs: T0, limits: [perIntent, perUser] })).outcome).toBe("rate_limited");
    // The refused call did not charge the per-user limit: 3 of 5 remain.
    expect(await store.admit({ nowMs: T0, limits: [perUser] })).toMatchObject({ outcome: "admitted", limit: { remaining: 2 } });
  });

  it("refuses on an exhausted quota, but still serves a cached answer", async () => {
    fresh();
    const quota = { key: key("quota"), limit: 100 };
    expect(await store.admit({ nowMs: T0, limits: [], quota })).toEqual({ outcome: "admitted", quotaUsed: 0, reserved: 0 });
    await store.record({ quota: { key: quota.key, tokens: 60, ttlSeconds: 60 } });
    await store.record({ quota: { key: quota.key, tokens: 50, ttlSeconds: 60 } });
    expect(await store.admit({ nowMs: T0, limits: [], quota })).toEqual({ outcome: "quota_exceeded", quotaUsed: 110, quotaLimit: 100 });
    await store.record({ cache: { key: key("cache"), value: '{"answer":"hi"}', ttlSeconds: 60 } });
    expect(await store.admit({ nowMs: T0, limits: [], quota, cacheKey: key("cache") })).toEqual({ outcome: "admitted", quotaUsed: 110, cached: '{"answer":"hi"}', reserved: 0 });
  });

  it("reserves on a miss so parallel requests see each other, and settles with the real usage", async () => {
    fresh();
    const quota = { key: key("reserve"), limit: 1000, reserve: 300, ttlSeconds: 60 };
    // 20 at once: 0, 300, 600 and 900 are under 1000, the rest see 1200 and more.
    const results = await Promise.all(Array.from({ length: 20 }, () => store.admit({ nowMs: T0, limits: [], quota })));
    const admitted = results.filter((r) => r.outcome === "admitted");
    expect(admitted).toHaveLength(4);
    expect(admitted.every((r) => r.outcome === "admitted" && r.reserved === 300)).toBe(true);
    expect(await store.get(quota.key)).toBe("1200");
    // Each spent 100 of its 300: settling gives 200 back apiece.
    for (let i = 0; i < 4; i++) await store.record({ quota: { key: quota.key, tokens: 100 - 300, ttlSeconds: 60 } });
    expect(await store.get(quota.key)).toBe("400");
    // A cache hit reserves nothing.
    await store.record({ cache: { key: key("hit"), value: "{}", ttlSeconds: 60 } });
    expect(await store.admit({ nowMs: T0, limits: [], quota, cacheKey: key("hit") })).toMatchObject({ reserved: 0, cached: "{}" });
    expect(await store.get(quota.key)).toBe("400");
  });

  it("never overwrites an audit record: a re-sent traceId's records go to :2, :3, ... and past the cap the first ones stay", async () => {
    const audit = key("audit:v1:trace-1:user-a");
    await store.record({ audit: { key: audit, value: "first", ttlSeconds: 60 } });
    await store.record({ audit: { key: audit, value: "second", ttlSeconds: 60 } });
    await store.record({ audit: { key: audit, value: "third", ttlSeconds: 60 }, increments: [{ key: key("spend"), by: 5, ttlSeconds: 60 }] });
    expect([await store.get(audit), await store.get(`${audit}:2`), await store.get(`${audit}:3`)]).toEqual(["first", "second", "third"]);
    expect((await store.keys(`${key("audit:v1:trace-1:")}*`, 50)).sort()).toEqual([audit, `${audit}:2`, `${audit}:3`].sort());
    for (let i = 4; i <= MAX_AUDITS_PER_TRACE + 3; i++) {
      // The totals still come back in order after the audit write.
      expect(await store.record({ audit: { key: audit, value: `r${i}`, ttlSeconds: 60 }, increments: [{ key: key("spend"), by: 1, ttlSeconds: 60 }] })).toEqual({ totals: [5 + i - 3] });
    }
    expect(await store.get(`${audit}:${MAX_AUDITS_PER_TRACE}`)).toBe(`r${MAX_AUDITS_PER_TRACE}`);
    expect(await store.get(`${audit}:${MAX_AUDITS_PER_TRACE + 1}`)).toBeUndefined();
    expect(await store.get(audit)).toBe("first");
  });

  it("holds money on a miss after the peek read the counters, never on a hit", async () => {
    const hold = { keys: [key("held:app"), key("held:user")], amount: 3000, ttlSeconds: 60 };
    const peek = { keys: [key("held:app")] };
    const first = await store.admit({ nowMs: T0, limits: [], peek, hold });
    expect(first).toMatchObject({ outcome: "admitted", held: 3000, peeked: { values: [undefined] } });
    const second = await store.admit({ nowMs: T0, limits: [], peek, hold });
    expect(second).toMatchObject({ held: 3000, peeked: { values: ["3000"] } });
    expect([await store.get(key("held:app")), await store.get(key("held:user"))]).toEqual(["6000", "6000"]);
    await store.record({ increments: [{ key: key("held:hit"), by: 0, ttlSeconds: 60 }], cache: { key: key("hit"), value: "{}", ttlSeconds: 60 } });
    expect(await store.admit({ nowMs: T0, limits: [], cacheKey: key("hit"), peek, hold })).not.toHaveProperty("held");
    expect(await store.get(key("held:app"))).toBe("6000");
    // A refused request holds nothing either.
    expect((await store.admit({ nowMs: T0, limits: [{ key: key("rl"), limit: 0, windowMs: 1000 }], hold })).outcome).toBe("rate_limited");
    expect(await store.get(key("held:app"))).toBe("6000");
    // Released by the record step.
    expect(await store.record({ increments: hold.keys.map((k) => ({ key: k, by: -6000, ttlSeconds: 60 })) })).toEqual({ totals: [0, 0] });
  });

  it("reads back cached values byte for byte (JSON, Chinese, emoji)", async () => {
    fresh();
    const value = JSON.stringify({ answer: "- 小程序是轻客户端 🚀\n- keys stay home", n: 1 });
    await store.record({ cache: { key: key("c"), value, ttlSeconds: 60 } });
    expect(await store.admit({ nowMs: T0, limits: [], cacheKey: key("c") })).toMatchObject({ cached: value });
    expect(await store.admit({ nowMs: T0, limits: [], cacheKey: key("missing") })).toEqual({ outcome: "admitted", quotaUsed: 0, reserved: 0 });
  });

  it("admits exactly the limit out of 200 concurrent requests", async () => {
    fresh();
    const limits = [{ key: key("burst"), limit: 20, windowMs: 60_000 }];
    const results = await Promise.all(Array.from({ length: 200 }, () => store.admit({ nowMs: T0 + 5, limits })));
    expect(results.filter((r) => r.outcome === "admitted")).toHaveLength(20);
    expect(results.filter((r) => r.outcome === "rate_limited")).toHaveLength(180);
  });

  if (kind !== "memory") {
    it("sets expiries on what it writes", async () => {
      fresh();
      await store.record({ quota: { key: key("q"), tokens: 5, ttlSeconds: 172_800 }, cache: { key: key("c"), value: "v", ttlSeconds: 600 } });
      await store.admit({ nowMs: Date.now(), limits: [{ key: key("rl"), limit: 5, windowMs: 60_000 }] });
      expect(await direct.ttl(key("q"))).toBeGreaterThan(172_000);
      expect(await direct.ttl(key("c"))).toBeGreaterThan(590);
      const [counter] = await direct.keys(`${key("rl")}:*`);
      expect(await direct.pttl(counter!)).toBeGreaterThan(100_000);
    });

    it("loads the script again after SCRIPT FLUSH (EVALSHA -> NOSCRIPT -> EVAL)", async () => {
      fresh();
      await direct.script("FLUSH");
      expect(await direct.script("EXISTS", ADMIT_SCRIPT_SHA)).toEqual([0]);
      expect((await store.admit({ nowMs: T0, limits: [{ key: key("rl"), limit: 1, windowMs: 1000 }] })).outcome).toBe("admitted");
      expect(await direct.script("EXISTS", ADMIT_SCRIPT_SHA)).toEqual([1]);
    });
  }
});

describe("upstash store over the REST protocol", () => {
  it("makes one HTTP request per admit and per record", async () => {
    const store = createUpstashStore(bridge.url, bridge.token);
    await store.admit({ nowMs: Date.now(), limits: [{ key: `test:${randomUUID()}`, limit: 5, windowMs: 1000 }], cacheKey: "test:none" });
    const before = bridge.requests.length;
    await store.admit({ nowMs: Date.now(), limits: [{ key: `test:${randomUUID()}`, limit: 5, windowMs: 1000 }, { key: `test:${randomUUID()}`, limit: 5, windowMs: 1000 }], quota: { key: "test:q", limit: 5 }, cacheKey: "test:none" });
    await store.record({ quota: { key: `test:${randomUUID()}`, tokens: 1, ttlSeconds: 10 }, cache: { key: `test:${randomUUID()}`, value: "x", ttlSeconds: 10 } });
    // @upstash/redis auto-pipelines, so a lone command may travel as a one-item /pipeline.
    const sent = bridge.requests.slice(before);
    expect(sent).toHaveLength(2);
    expect(sent[0]?.commands.map((c) => c[0]?.toLowerCase())).toEqual(["evalsha"]);
    expect(sent[1]).toMatchObject({ path: "/multi-exec" });
    expect(sent[1]?.commands.map((c) => c[0]?.toLowerCase())).toEqual(["incrby", "expire", "set"]);
  });

  it("fails (and does not hang) with a wrong token", async () => {
    const store = createUpstashStore(bridge.url, "wrong-token");
    await expect(store.ping()).rejects.toThrow();
  });
});

describe("createStore", () => {
  it("picks the backend from MINIASK_STORE", () => {
    expect(createStore(undefined, {}).kind).toBe("memory");
    expect(createStore("redis://127.0.0.1:6379/2", {}).kind).toBe("redis");
    expect(createStore("upstash", { UPSTASH_REDIS_REST_URL: "https://x.upstash.io", UPSTASH_REDIS_REST_TOKEN: "t" }).kind).toBe("upstash");
  });

  it("names what is wrong with a bad value, hiding a password", () => {
    expect(() => createStore("redis://:hunter2@db:6379/x", {})).toThrow('MINIASK_STORE: expected memory, upstash or redis://host:port[/db], got "redis://:***@db:6379/x"');
    expect(() => createStore("mongodb://x", {})).toThrow("MINIASK_STORE");
    expect(() => createStore("upstash", {})).toThrow("UPSTASH_REDIS_REST_URL: required with MINIASK_STORE=upstash");
  });

  it("says clearly when the store is unreachable at start", async () => {
    const store = createStore("redis://127.0.0.1:1", {});
    expect(await checkStore(store, 500)).toMatch(/^store redis is unreachable: /);
    await store.close();
    expect(await checkStore(createStore("redis://127.0.0.1:6379", {}), 2000)).toBeUndefined();
  });
});

describe("memory store bounds", () => {
  it("keeps at most maxEntries, evicting the oldest first", async () => {
    const store = createMemoryStore(Date.now, 100);
    for (let i = 0; i < 250; i++) await store.record({ audit: { key: `audit:${i}`, value: "x".repeat(100), ttlSeconds: 3600 } });
    expect(await store.get("audit:0")).toBeUndefined();
    expect(await store.get("audit:149")).toBeUndefined();
    expect(await store.get("audit:150")).toBe("x".repeat(100));
    expect(await store.get("audit:249")).toBe("x".repeat(100));
  });
});
