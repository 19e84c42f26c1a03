// The memory store on an injected clock: expiry at the exact millisecond, every TTL in the unit
// it is given in, the sweep of expired entries, the entry cap, and the admit script's semantics
// (limits, quota, reservation, cache, peek) that test/store.test.ts also runs on Redis.
import { describe, expect, it } from "vitest";
import { MEMORY_STORE_MAX_ENTRIES, createMemoryStore } from "../lib/store/memoryStore";
import { MAX_AUDITS_PER_TRACE } from "../lib/store/storeKeys";

const T0 = 1_800_000_000_000; // a window boundary for 1 s and 60 s windows

function clock(start = T0) {
  let t = start;
  return { now: () => t, set: (ms: number) => void (t = ms), advance: (ms: number) => void (t += ms) };
}

describe("memory store: expiry and TTL units", () => {
  it("set: a value lives ttlSeconds * 1000 ms, gone at the exact millisecond", async () => {
    const c = clock();
    const store = createMemoryStore(c.now);
    await store.set("k", "v", 2);
    c.set(T0 + 1999);
    expect(await store.get("k")).toBe("v");
    c.set(T0 + 2000);
    expect(await store.get("k")).toBeUndefined();
    // Gone for good, even if the clock went back (the entry was deleted when found expired).
    c.set(T0);
    expect(await store.get("k")).toBeUndefined();
  });

  it("record: quota, cache and audit entries live their ttlSeconds in seconds", async () => {
    const c = clock();
    const store = createMemoryStore(c.now);
    await store.record({ quota: { key: "q", tokens: 7, ttlSeconds: 3 }, cache: { key: "c", value: "cv", ttlSeconds: 4 }, audit: { key: "a", value: "av", ttlSeconds: 5 } });
    c.set(T0 + 2999);
    expect([await store.get("q"), await store.get("c"), await store.get("a")]).toEqual(["7", "cv", "av"]);
    c.set(T0 + 3000);
    expect([await store.get("q"), await store.get("c"), await store.get("a")]).toEqual([undefined, "cv", "av"]);
    c.set(T0 + 4000);
    expect([await store.get("c"), await store.get("a")]).toEqual([undefined, "av"]);
    c.set(T0 + 5000);
    expect(await store.get("a")).toBeUndefined();
  });

  it("record: increments add up, return their totals in order, and live their ttlSeconds", async () => {
    const c = clock();
    const store = createMemoryStore(c.now);
    expect(await store.record({})).toEqual({ totals: [] });
    expect(await store.record({ increments: [{ key: "x", by: 5, ttlSeconds: 2 }, { key: "y", by: 1, ttlSeconds: 10 }] })).toEqual({ totals: [5, 1] });
    expect(await store.record({ increments: [{ key: "x", by: 3, ttlSeconds: 2 }] })).toEqual({ totals: [8] });
    c.set(T0 + 1999);
    expect(await store.get("x")).toBe("8");
    c.set(T0 + 2000);
    expect(await store.get("x")).toBeUndefined();
    expect(await store.record({ increments: [{ key: "x", by: 4, ttlSeconds: 2 }] })).toEqual({ totals: [4] });
  });

  it("record: a quota charge adds to what is there (a negative one gives back)", async () => {
    const store = createMemoryStore(clock().now);
    await store.record({ quota: { key: "q", tokens: 100, ttlSeconds: 60 } });
    await store.record({ quota: { key: "q", tokens: -30, ttlSeconds: 60 } });
    expect(await store.get("q")).toBe("70");
  });

  it("setIfAbsent: true once, false while the key lives, its ttl in ms", async () => {
    const c = clock();
    const store = createMemoryStore(c.now);
    expect(await store.setIfAbsent("lock", "a", 500)).toBe(true);
    expect(await store.setIfAbsent("lock", "b", 500)).toBe(false);
    expect(await store.get("lock")).toBe("a");
    c.set(T0 + 499);
    expect(await store.setIfAbsent("lock", "c", 500)).toBe(false);
    c.set(T0 + 500);
    expect(await store.setIfAbsent("lock", "d", 500)).toBe(true);
    expect(await store.get("lock")).toBe("d");
  });

  it("del removes a key; close empties the store", async () => {
    const store = createMemoryStore(clock().now);
    await store.set("a", "1", 60);
    await store.set("b", "2", 60);
    await store.del("a");
    expect(await store.get("a")).toBeUndefined();
    expect(await store.get("b")).toBe("2");
    await store.close();
    expect(await store.get("b")).toBeUndefined();
    await expect(store.ping()).resolves.toBeUndefined();
    await expect(store.ready()).resolves.toBeUndefined();
    expect(store.kind).toBe("memory");
  });
});

describe("memory store: keys", () => {
  it("matches a trailing * as a prefix and anything else exactly, skipping expired keys", async () => {
    const c = clock();
    const store = createMemoryStore(c.now);
    await store.set("audit:t1:u1", "x", 60);
    await store.set("audit:t1:u2", "x", 1);
    await store.set("audit:t2:u1", "x", 60);
    await store.set("other:audit:t1:", "x", 60);
    expect(await store.keys("audit:t1:*", 10)).toEqual(["audit:t1:u1", "audit:t1:u2"]);
    expect(await store.keys("audit:t1:u1", 10)).toEqual(["audit:t1:u1"]);
    expect(await store.keys("audit:t1:", 10)).toEqual([]);
    expect(await store.keys("*", 10)).toHaveLength(4);
    c.set(T0 + 1000);
    expect(await store.keys("audit:t1:*", 10)).toEqual(["audit:t1:u1"]);
  });

  it("returns at most limit keys", async () => {
    const store = createMemoryStore(clock().now);
    for (let i = 0; i < 5; i++) await store.set(`k:${i}`, "x", 60);
    expect(await store.keys("k:*", 3)).toEqual(["k:0", "k:1", "k:2"]);
    expect(await store.keys("k:*", 5)).toHaveLength(5);
    expect(await store.keys("k:*", 0)).toEqual([]);
  });
});

describe("memory store: bounds", () => {
  it("keeps exactly maxEntries, evicting the oldest first", async () => {
    const store = createMemoryStore(clock().now, 3);
    for (const k of ["a", "b", "c"]) await store.set(k, k, 60);
    expect(await store.keys("*", 10)).toEqual(["a", "b", "c"]);
    await store.set("d", "d", 60);
    expect(await store.keys("*", 10)).toEqual(["b", "c", "d"]);
  });

  it("caps at MEMORY_STORE_MAX_ENTRIES by default", async () => {
    const store = createMemoryStore(clock().now);
    for (let i = 0; i <= MEMORY_STORE_MAX_ENTRIES; i++) await store.setIfAbsent(`k:${i}`, "x", 60_000);
    expect(await store.get("k:0")).toBeUndefined();
    expect(await store.get("k:1")).toBe("x");
    expect(await store.keys("k:*", 2 * MEMORY_STORE_MAX_ENTRIES)).toHaveLength(MEMORY_STORE_MAX_ENTRIES);
  });

  // With a cap of 1001: one long-lived key, 998 short ones, then the 1000th write. If that
  // write swept the expired ones, two more writes fit beside the long-lived key; if not, the
  // cap evicts it (it is the oldest).
  async function fillThenExpire(atExpiry: number) {
    const c = clock();
    const store = createMemoryStore(c.now, 1001);
    await store.set("live", "kept", 3600);
    for (let i = 0; i < 998; i++) await store.set(`short:${i}`, "x", 1);
    c.set(atExpiry);
    await store.set("write-1000", "x", 3600);
    await store.set("after-1", "x", 3600);
    await store.set("after-2", "x", 3600);
    return store;
  }

  it("every 1000th write sweeps entries expired by then (at their exact expiry too)", async () => {
    const store = await fillThenExpire(T0 + 1000);
    expect(await store.get("live")).toBe("kept");
    expect(await store.get("after-2")).toBe("x");
  });

  it("leaves entries that are not yet expired when it sweeps", async () => {
    const store = await fillThenExpire(T0 + 999);
    // Nothing was expired: the cap evicted the oldest, the short entries stay.
    expect(await store.get("live")).toBeUndefined();
    expect(await store.get("short:997")).toBe("x");
  });

  it("between sweeps, expired entries still take slots (the sweep is amortised, not per write)", async () => {
    const c = clock();
    const store = createMemoryStore(c.now, 2);
    await store.set("live", "kept", 3600);
    await store.set("short", "x", 1);
    c.set(T0 + 1000);
    // Rewriting a key keeps its place; a per-write sweep would have dropped "short" here.
    await store.set("live", "kept", 3600);
    await store.set("new", "x", 3600);
    expect(await store.get("live")).toBeUndefined();
    expect(await store.get("new")).toBe("x");
  });
});

describe("memory store: newer hash fields", () => {
  const field = (value: string, atMs: number, ttlMs = 10_000) => ({ key: "breakers", field: "p/m", value, atMs, ttlMs });

  it("writes a field when absent, or newer than or as new as the one there; never an older one", async () => {
    const c = clock();
    const store = createMemoryStore(c.now);
    const peekHash = async () => {
      const r = await store.admit({ nowMs: c.now(), limits: [], peek: { hash: "breakers" } });
      return r.outcome === "admitted" ? r.peeked?.hash : undefined;
    };
    expect(await peekHash()).toEqual({});
    await store.record({ newerFields: [field(JSON.stringify({ at: 100, s: "open" }), 100)] });
    expect(await peekHash()).toEqual({ "p/m": '{"at":100,"s":"open"}' });
    await store.record({ newerFields: [field(JSON.stringify({ at: 50, s: "closed" }), 50)] });
    expect(await peekHash()).toEqual({ "p/m": '{"at":100,"s":"open"}' });
    await store.record({ newerFields: [field(JSON.stringify({ at: 100, s: "half" }), 100)] });
    expect(await peekHash()).toEqual({ "p/m": '{"at":100,"s":"half"}' });
    await store.record({ newerFields: [field(JSON.stringify({ at: 200, s: "closed" }), 200)] });
    expect(await peekHash()).toEqual({ "p/m": '{"at":200,"s":"closed"}' });
  });

  it("keeps the other fields of the hash, and the hash lives ttlMs", async () => {
    const c = clock();
    const store = createMemoryStore(c.now);
    await store.record({ newerFields: [{ key: "h", field: "a", value: '{"at":1}', atMs: 1, ttlMs: 500 }] });
    await store.record({ newerFields: [{ key: "h", field: "b", value: '{"at":2}', atMs: 2, ttlMs: 500 }] });
    expect(JSON.parse((await store.get("h")) ?? "null")).toEqual({ a: '{"at":1}', b: '{"at":2}' });
    c.set(T0 + 500);
    expect(await store.get("h")).toBeUndefined();
  });
});

describe("memory store: admit", () => {
  it("refuses at exactly the limit, with the tightest limit reported before", async () => {
    const c = clock();
    const store = createMemoryStore(c.now);
    const limits = [{ key: "rl", limit: 2, windowMs: 60_000 }];
    expect(await store.admit({ nowMs: T0, limits })).toEqual({ outcome: "admitted", quotaUsed: 0, reserved: 0, limit: { limit: 2, remaining: 1, resetMs: 60_000 } });
    expect(await store.admit({ nowMs: T0, limits })).toMatchObject({ outcome: "admitted", limit: { remaining: 0 } });
    expect(await store.admit({ nowMs: T0 + 10_000, limits })).toEqual({ outcome: "rate_limited", limit: { limit: 2, remaining: 0, resetMs: 50_000 } });
  });

  it("reports the limit with the fewest left; on a tie, the first one", async () => {
    const store = createMemoryStore(clock().now);
    const a = { key: "a", limit: 3, windowMs: 60_000 };
    const b = { key: "b", limit: 4, windowMs: 30_000 };
    await store.admit({ nowMs: T0, limits: [b] });
    // a: 3 - 0 - 1 = 2 left, b: 4 - 1 - 1 = 2 left.
    expect(await store.admit({ nowMs: T0, limits: [a, b] })).toMatchObject({ limit: { limit: 3, remaining: 2, resetMs: 60_000 } });
    // a: 1 left, b: 1 left: still a. Then c, tighter and last, wins.
    const c = { key: "c", limit: 1, windowMs: 1000 };
    expect(await store.admit({ nowMs: T0, limits: [a, b, c] })).toMatchObject({ limit: { limit: 1, remaining: 0, resetMs: 1000 } });
    // b first with 0 left (4 - 3 - 1), then a with 0 left: b stays.
    expect(await store.admit({ nowMs: T0, limits: [b, a] })).toMatchObject({ limit: { limit: 4, remaining: 0, resetMs: 30_000 } });
  });

  it("keeps a window's counter for two windows, so the previous one still weighs in", async () => {
    const c = clock();
    const store = createMemoryStore(c.now);
    const limits = [{ key: "rl", limit: 4, windowMs: 1000 }];
    for (let i = 0; i < 4; i++) await store.admit({ nowMs: T0, limits });
    // Half-way through the next window, the previous 4 count as 2: two more fit.
    c.set(T0 + 1500);
    const later = [];
    for (let i = 0; i < 3; i++) later.push((await store.admit({ nowMs: c.now(), limits })).outcome);
    expect(later).toEqual(["admitted", "admitted", "rate_limited"]);
    // At T0 + 2000 the first window's counter is gone; the second's 2 weigh fully.
    c.set(T0 + 2000);
    expect(await store.admit({ nowMs: c.now(), limits })).toMatchObject({ outcome: "admitted", limit: { remaining: 1 } });
  });

  it("a refused request charges no limit", async () => {
    const store = createMemoryStore(clock().now);
    const tight = { key: "t", limit: 1, windowMs: 60_000 };
    const loose = { key: "l", limit: 10, windowMs: 60_000 };
    await store.admit({ nowMs: T0, limits: [tight, loose] });
    expect((await store.admit({ nowMs: T0, limits: [loose, tight] })).outcome).toBe("rate_limited");
    expect(await store.admit({ nowMs: T0, limits: [loose] })).toMatchObject({ limit: { remaining: 8 } });
  });

  it("refuses at exactly the quota, and a quota refusal charges no limit", async () => {
    const store = createMemoryStore(clock().now);
    await store.record({ quota: { key: "q", tokens: 100, ttlSeconds: 60 } });
    const limits = [{ key: "rl", limit: 5, windowMs: 60_000 }];
    expect(await store.admit({ nowMs: T0, limits, quota: { key: "q", limit: 101 } })).toMatchObject({ outcome: "admitted", quotaUsed: 100 });
    expect(await store.admit({ nowMs: T0, limits, quota: { key: "q", limit: 100 } })).toEqual({ outcome: "quota_exceeded", quotaUsed: 100, quotaLimit: 100 });
    expect(await store.admit({ nowMs: T0, limits })).toMatchObject({ limit: { remaining: 3 } });
  });

  it("serves a cached answer past the quota, reserving nothing", async () => {
    const store = createMemoryStore(clock().now);
    await store.record({ quota: { key: "q", tokens: 100, ttlSeconds: 60 }, cache: { key: "c", value: "{}", ttlSeconds: 60 } });
    expect(await store.admit({ nowMs: T0, limits: [], quota: { key: "q", limit: 100, reserve: 50, ttlSeconds: 60 }, cacheKey: "c" })).toEqual({ outcome: "admitted", quotaUsed: 100, reserved: 0, cached: "{}" });
    expect(await store.get("q")).toBe("100");
    expect(await store.admit({ nowMs: T0, limits: [], quota: { key: "q", limit: 100 }, cacheKey: "missing" })).toMatchObject({ outcome: "quota_exceeded" });
  });

  it("reserves on a miss for ttlSeconds * 1000 ms; no reservation writes nothing", async () => {
    const c = clock();
    const store = createMemoryStore(c.now);
    expect(await store.admit({ nowMs: T0, limits: [], quota: { key: "q", limit: 1000, reserve: 0, ttlSeconds: 60 } })).toEqual({ outcome: "admitted", quotaUsed: 0, reserved: 0 });
    expect(await store.get("q")).toBeUndefined();
    expect(await store.admit({ nowMs: T0, limits: [], quota: { key: "q", limit: 1000 } })).toEqual({ outcome: "admitted", quotaUsed: 0, reserved: 0 });
    expect(await store.get("q")).toBeUndefined();
    expect(await store.admit({ nowMs: T0, limits: [], quota: { key: "q", limit: 1000, reserve: 300, ttlSeconds: 2 } })).toEqual({ outcome: "admitted", quotaUsed: 0, reserved: 300 });
    expect(await store.admit({ nowMs: T0, limits: [], quota: { key: "q", limit: 1000, reserve: 300, ttlSeconds: 2 } })).toEqual({ outcome: "admitted", quotaUsed: 300, reserved: 300 });
    expect(await store.get("q")).toBe("600");
    c.set(T0 + 1999);
    expect(await store.get("q")).toBe("600");
    c.set(T0 + 2000);
    expect(await store.get("q")).toBeUndefined();
  });

  it("a reservation without a ttl expires at once (the caller always gives one)", async () => {
    const store = createMemoryStore(clock().now);
    expect(await store.admit({ nowMs: T0, limits: [], quota: { key: "q", limit: 1000, reserve: 10 } })).toMatchObject({ reserved: 10 });
    expect(await store.get("q")).toBeUndefined();
  });

  it("writes one counter per limit and window, and nothing else", async () => {
    const store = createMemoryStore(clock().now);
    await store.admit({ nowMs: T0 + 1500, limits: [{ key: "rl:a", limit: 5, windowMs: 1000 }, { key: "rl:b", limit: 5, windowMs: 60_000 }] });
    await store.record({ cache: { key: "c", value: "v", ttlSeconds: 60 } });
    expect(await store.keys("*", 100)).toEqual([`rl:a:${Math.floor((T0 + 1500) / 1000)}`, `rl:b:${Math.floor((T0 + 1500) / 60_000)}`, "c"]);
  });

  it("a miss carries no cached field at all", async () => {
    const store = createMemoryStore(clock().now);
    const miss = await store.admit({ nowMs: T0, limits: [{ key: "rl", limit: 5, windowMs: 1000 }], cacheKey: "none" });
    expect(miss).toStrictEqual({ outcome: "admitted", quotaUsed: 0, reserved: 0, limit: { limit: 5, remaining: 4, resetMs: 1000 } });
    expect(Object.keys(miss)).not.toContain("cached");
  });

  it("a cache hit or miss without a quota", async () => {
    const c = clock();
    const store = createMemoryStore(c.now);
    await store.set("c", "hit", 1);
    expect(await store.admit({ nowMs: T0, limits: [], cacheKey: "c" })).toEqual({ outcome: "admitted", quotaUsed: 0, reserved: 0, cached: "hit" });
    c.set(T0 + 1000);
    expect(await store.admit({ nowMs: c.now(), limits: [], cacheKey: "c" })).toEqual({ outcome: "admitted", quotaUsed: 0, reserved: 0 });
  });

  it("reads peeked keys in order (absent ones undefined) and one hash", async () => {
    const store = createMemoryStore(clock().now);
    await store.set("spend:a", "12", 60);
    await store.set("spend:c", "3", 60);
    await store.set("h", JSON.stringify({ f: "v" }), 60);
    expect(await store.admit({ nowMs: T0, limits: [], peek: { keys: ["spend:a", "spend:b", "spend:c"], hash: "h" } })).toEqual({
      outcome: "admitted",
      quotaUsed: 0,
      reserved: 0,
      peeked: { values: ["12", undefined, "3"], hash: { f: "v" } },
    });
    expect(await store.admit({ nowMs: T0, limits: [], peek: {} })).toMatchObject({ peeked: { values: [], hash: {} } });
    expect(await store.admit({ nowMs: T0, limits: [], peek: { keys: ["spend:a"] } })).toMatchObject({ peeked: { values: ["12"], hash: {} } });
  });
});

describe("memory store: audit records are never overwritten", () => {
  it("a second and third record of a key take :2 and :3, each living its ttlSeconds", async () => {
    const c = clock();
    const store = createMemoryStore(c.now);
    await store.record({ audit: { key: "a", value: "1", ttlSeconds: 5 } });
    await store.record({ audit: { key: "a", value: "2", ttlSeconds: 3 } });
    await store.record({ audit: { key: "a", value: "3", ttlSeconds: 5 } });
    expect([await store.get("a"), await store.get("a:2"), await store.get("a:3"), await store.get("a:4")]).toEqual(["1", "2", "3", undefined]);
    c.set(T0 + 2999);
    expect(await store.get("a:2")).toBe("2");
    c.set(T0 + 3000);
    expect(await store.get("a:2")).toBeUndefined();
    // A slot whose record expired is free again; the first stays.
    await store.record({ audit: { key: "a", value: "4", ttlSeconds: 5 } });
    expect([await store.get("a"), await store.get("a:2")]).toEqual(["1", "4"]);
  });

  it("past MAX_AUDITS_PER_TRACE records, the later ones are dropped and the first ones stay", async () => {
    const store = createMemoryStore(clock().now);
    for (let i = 1; i <= MAX_AUDITS_PER_TRACE + 2; i++) await store.record({ audit: { key: "a", value: String(i), ttlSeconds: 60 } });
    expect(await store.get("a")).toBe("1");
    expect(await store.get(`a:${MAX_AUDITS_PER_TRACE}`)).toBe(String(MAX_AUDITS_PER_TRACE));
    expect(await store.get(`a:${MAX_AUDITS_PER_TRACE + 1}`)).toBeUndefined();
    expect(await store.keys("a*", 100)).toHaveLength(MAX_AUDITS_PER_TRACE);
  });
});

describe("memory store: budget holds", () => {
  it("adds the amount to each counter on a miss, for ttlSeconds * 1000 ms, after the peek read them", async () => {
    const c = clock();
    const store = createMemoryStore(c.now);
    const hold = { keys: ["h1", "h2"], amount: 30, ttlSeconds: 2 };
    expect(await store.admit({ nowMs: T0, limits: [], peek: { keys: ["h1"] }, hold })).toEqual({ outcome: "admitted", quotaUsed: 0, reserved: 0, peeked: { values: [undefined], hash: {} }, held: 30 });
    expect(await store.admit({ nowMs: T0, limits: [], peek: { keys: ["h1"] }, hold })).toMatchObject({ peeked: { values: ["30"] }, held: 30 });
    expect([await store.get("h1"), await store.get("h2")]).toEqual(["60", "60"]);
    c.set(T0 + 1999);
    expect(await store.get("h1")).toBe("60");
    c.set(T0 + 2000);
    expect(await store.get("h1")).toBeUndefined();
  });

  it("holds nothing on a hit, for nothing, or nowhere", async () => {
    const store = createMemoryStore(clock().now);
    await store.set("c", "{}", 60);
    for (const request of [
      { cacheKey: "c", hold: { keys: ["h"], amount: 5, ttlSeconds: 60 } },
      { hold: { keys: ["h"], amount: 0, ttlSeconds: 60 } },
      { hold: { keys: [], amount: 5, ttlSeconds: 60 } },
    ]) {
      const r = await store.admit({ nowMs: T0, limits: [], ...request });
      expect(r).not.toHaveProperty("held");
    }
    expect(await store.get("h")).toBeUndefined();
  });
});
