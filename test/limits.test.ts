// Rate limits, quotas and the response cache through the real HTTP path, on the real Redis.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore } from "../lib/store/memoryStore";
import { createRedisStore } from "../lib/store/redisStore";
import type { Store } from "../lib/store/store";
import { storeKeys } from "../lib/store/storeKeys";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";
import { ARTICLE_TEXT, type Harness, startHarness } from "./support/harness";
import { filesWithLimits } from "./support/policyFiles";

const REDIS = "redis://127.0.0.1:6379";
let upstream: LocalUpstream;
const open: Harness[] = [];
beforeAll(async () => {
  upstream = await startLocalUpstream();
});
afterEach(async () => {
  upstream.setDefault({});
  for (const h of open.splice(0)) await h.close();
});
afterAll(() => upstream.close());

async function harness(options: Parameters<typeof startHarness>[0]): Promise<Harness> {
  const h = await startHarness({ upstream, ...options });
  open.push(h);
  return h;
}

const summarize = (userId: string, text = `${ARTICLE_TEXT} ${randomUUID()}`) => ({ intent: "summarize", userId, input: { text, maxBullets: 3 } });
const support = (userId: string, question = "How do I get a refund for a cancelled order?") => ({ intent: "support", userId, input: { question } });

describe("rate limits (staging policy, Redis store)", () => {
  it("admits per_user_intent requests a minute, then 429 rate_limited with Retry-After and X-RateLimit-*", async () => {
    const h = await harness({ env: "staging", processEnv: { MINIASK_STORE: REDIS } });
    const token = await h.token("u_limit");
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 21; i++) {
      last = await h.ask(summarize("u_limit"), { token });
      statuses.push(last.status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(last?.status).toBe(429);
    expect(last?.json).toEqual({ error: { code: "rate_limited", message: expect.any(String) }, traceId: expect.any(String) });
    expect(Number(last?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(last?.headers.get("x-ratelimit-limit")).toBe("20");
    expect(last?.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(last?.headers.get("x-ratelimit-reset"))).toBeLessThanOrEqual(60);
  });

  it("reports the remaining allowance on every admitted answer", async () => {
    const h = await harness({ env: "staging", processEnv: { MINIASK_STORE: REDIS } });
    const first = await h.ask(summarize("u_hdr"));
    const second = await h.ask(summarize("u_hdr"));
    expect(first.headers.get("x-ratelimit-remaining")).toBe("19");
    expect(second.headers.get("x-ratelimit-remaining")).toBe("18");
  });

  it("limits per user across intents too, and keeps users apart", async () => {
    const h = await harness({ env: "staging", rawFiles: filesWithLimits("staging", { per_user: { requests: 3, window_seconds: 60 } }), processEnv: { MINIASK_STORE: REDIS } });
    expect((await h.ask(summarize("u_a"))).status).toBe(200);
    expect((await h.ask(support("u_a", "first question about shipping times?"))).status).toBe(200);
    expect((await h.ask(support("u_a", "second question about shipping times?"))).status).toBe(200);
    expect((await h.ask(summarize("u_a"))).status).toBe(429);
    expect((await h.ask(summarize("u_b"))).status).toBe(200);
  });

  it("holds an instance for a warm-up ping only when the timer's key comes with it", async () => {
    const h = await harness({ env: "staging", processEnv: { MINIASK_STORE: REDIS, MINIASK_WARMUP_KEY: "warmup-key-0123456789abcdef" } });
    const ping = async (headers: Record<string, string>) => (await (await fetch(`${h.url}/v1/mini/warmup`, { method: "POST", headers: { "x-miniask-warmup-hold-ms": "1000", ...headers } })).json()) as { heldMs: number };
    expect((await ping({})).heldMs).toBe(0);
    expect((await ping({ "x-miniask-warmup-key": "warmup-key-0123456789abcdeX" })).heldMs).toBe(0);
    expect((await ping({ "x-miniask-warmup-key": "warmup-key-0123456789abcdef", "x-miniask-warmup-hold-ms": "300" })).heldMs).toBe(300);
    expect((await ping({ "x-miniask-warmup-key": "warmup-key-0123456789abcdef", "x-miniask-warmup-hold-ms": "99999" })).heldMs).toBe(1000);
  });

  it("does not count warm-up pings", async () => {
    const h = await harness({ env: "staging", processEnv: { MINIASK_STORE: REDIS } });
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${h.url}/v1/mini/warmup`, { method: "POST" });
      expect(await res.json()).toEqual({ warm: true, heldMs: 0 });
    }
    const before = upstream.requests.length;
    expect((await h.ask(summarize("u_warm"))).headers.get("x-ratelimit-remaining")).toBe("19");
    expect(upstream.requests.length - before).toBe(1);
  });
});

describe("daily token quota", () => {
  it("charges real usage and refuses before calling the model once spent: 429 quota_exceeded", async () => {
    const h = await harness({ env: "staging", rawFiles: filesWithLimits("staging", { daily_tokens: 300 }), processEnv: { MINIASK_STORE: REDIS } });
    const first = await h.ask(summarize("u_quota"));
    expect(first.status).toBe(200);
    const spent = (first.json.usage as { totalTokens: number }).totalTokens;
    expect(spent).toBeGreaterThan(150);
    expect((await h.ask(summarize("u_quota"))).status).toBe(200);
    const before = upstream.requests.length;
    const refused = await h.ask(summarize("u_quota"));
    expect(refused.status).toBe(429);
    expect((refused.json.error as { code: string }).code).toBe("quota_exceeded");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(24 * 3600);
    expect(upstream.requests.length).toBe(before);
  });

  it("cannot overshoot by more than one request when many arrive at once near the limit", async () => {
    const prefix = `test:${randomUUID()}:`;
    const h = await harness({ env: "staging", rawFiles: filesWithLimits("staging", { daily_tokens: 20_000, per_user_intent: { requests: 1000, window_seconds: 60 }, per_user: { requests: 1000, window_seconds: 60 } }), processEnv: { MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prefix } });
    const redis = createRedisStore(REDIS);
    const quotaKey = storeKeys.quota(prefix, "u_edge", Date.now());
    // 19,900 of 20,000 spent; 40 requests of ~190 tokens each arrive together.
    await redis.record({ quota: { key: quotaKey, tokens: 19_900, ttlSeconds: 3600 } });
    const token = await h.token("u_edge");
    const results = await Promise.all(Array.from({ length: 40 }, () => h.ask(summarize("u_edge"), { token })));
    const served = results.filter((r) => r.status === 200);
    expect(served.length).toBeGreaterThanOrEqual(1);
    expect(results.filter((r) => r.status !== 200).every((r) => (r.json.error as { code: string }).code === "quota_exceeded")).toBe(true);
    const spentMost = Math.max(...served.map((r) => (r.json.usage as { totalTokens: number }).totalTokens));
    // Every reservation settled: the counter holds real usage only, at most one request past the limit.
    const used = Number(await redis.get(quotaKey));
    expect(used).toBe(19_900 + served.reduce((sum, r) => sum + (r.json.usage as { totalTokens: number }).totalTokens, 0));
    expect(used).toBeLessThanOrEqual(20_000 + spentMost);
    await redis.close();
  });
});

describe("response cache", () => {
  it("answers a repeated request from the cache: cached: true, no model call, no tokens", async () => {
    const h = await harness({ env: "staging", processEnv: { MINIASK_STORE: REDIS } });
    const question = `How do I change the delivery address? ${randomUUID()}`;
    const first = await h.ask(support("u_c1", question));
    const before = upstream.requests.length;
    const again = await h.ask(support("u_c1", `  ${question.replace(" ", "   ")} `));
    expect(first.json.cached).toBe(false);
    expect(again.json).toMatchObject({ cached: true, answer: first.json.answer, model: first.json.model, usage: { totalTokens: 0 } });
    expect(upstream.requests.length).toBe(before);
    expect(h.logRecords().at(-1)).toMatchObject({ cache: "hit", status: 200 });
  });

  it("shares a FAQ answer between users, but never across different context", async () => {
    const h = await harness({ env: "staging", processEnv: { MINIASK_STORE: REDIS } });
    const question = `What are your opening hours? ${randomUUID()}`;
    await h.ask(support("u_x", question));
    expect((await h.ask(support("u_y", question))).json.cached).toBe(true);
    const personal = await h.ask({ ...support("u_y", question), context: { orderId: "A-77" } });
    expect(personal.json.cached).toBe(false);
    const otherPersonal = await h.ask({ ...support("u_x", question), context: { orderId: "B-12" } });
    expect(otherPersonal.json.cached).toBe(false);
    expect((await h.ask({ ...support("u_y", question), context: { orderId: "A-77" } })).json.cached).toBe(true);
  });

  it("keys per user when the profile says per_user", async () => {
    const files = filesWithLimits("staging", {});
    (files.profiles as { profiles: Record<string, { cache?: unknown }> }).profiles.support_v1!.cache = { ttl_seconds: 60, per_user: true };
    const h = await harness({ env: "staging", rawFiles: files, processEnv: { MINIASK_STORE: REDIS } });
    const question = `Where is my parcel? ${randomUUID()}`;
    await h.ask(support("u_p1", question));
    expect((await h.ask(support("u_p2", question))).json.cached).toBe(false);
    expect((await h.ask(support("u_p1", question))).json.cached).toBe(true);
  });

  it("never serves an answer of an older profile version", async () => {
    const question = `Can I change my plan? ${randomUUID()}`;
    const prefix = `test:${randomUUID()}:`;
    const h1 = await harness({ env: "staging", processEnv: { MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prefix } });
    await h1.ask(support("u_v", question));
    expect((await h1.ask(support("u_v", question))).json.cached).toBe(true);
    const changed = filesWithLimits("staging", {});
    (changed.profiles as { profiles: Record<string, { system_prompt: string }> }).profiles.support_v1!.system_prompt = "You are a terse support engineer.";
    const h2 = await harness({ env: "staging", rawFiles: changed, processEnv: { MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prefix } });
    expect((await h2.ask(support("u_v", question))).json.cached).toBe(false);
  });

  it("skips the cache with X-Miniask-Cache: bypass in staging, not in prod", async () => {
    const question = `Is there a student discount? ${randomUUID()}`;
    const staging = await harness({ env: "staging", processEnv: { MINIASK_STORE: REDIS } });
    await staging.ask(support("u_b", question));
    expect((await staging.ask(support("u_b", question), { headers: { "x-miniask-cache": "bypass" } })).json.cached).toBe(false);
    const prod = await harness({ env: "prod", processEnv: { MINIASK_STORE: REDIS } });
    await prod.ask(support("u_b", question));
    expect((await prod.ask(support("u_b", question), { headers: { "x-miniask-cache": "bypass" } })).json.cached).toBe(true);
  });

  it("makes one model call for identical concurrent misses (single flight)", async () => {
    const h = await harness({ env: "staging", processEnv: { MINIASK_STORE: REDIS } });
    upstream.setDefault({ delayMs: 150 });
    const question = `How do refunds work? ${randomUUID()}`;
    const before = upstream.requests.length;
    const results = await Promise.all(["u_s1", "u_s2", "u_s3", "u_s4", "u_s5"].map((u) => h.ask(support(u, question))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(results.map((r) => JSON.stringify(r.json.answer))).size).toBe(1);
    expect(upstream.requests.length - before).toBe(1);
    // Only the one that called the model reports (and is charged) tokens.
    expect(results.filter((r) => (r.json.usage as { totalTokens: number }).totalTokens > 0)).toHaveLength(1);
  });
});

describe("store faults never become a 500", () => {
  function downStore(): Store {
    return createRedisStore("redis://127.0.0.1:1");
  }
  function slowStore(ms: number): Store {
    const real = createMemoryStore();
    const slow = <T>(work: () => Promise<T>) => new Promise<T>((resolve) => setTimeout(() => resolve(work()), ms));
    return { ...real, admit: (r) => slow(() => real.admit(r)), record: (r) => slow(() => real.record(r)) };
  }

  it.each([
    ["down", downStore],
    ["slower than the timeout", () => slowStore(1000)],
  ])("store %s, policy open: answers 200 without the cache, with one warning line", async (_name, make) => {
    const store = make();
    const h = await harness({ env: "staging", store });
    const res = await h.ask(support("u_f", "How do I reset my password?"));
    expect(res.status).toBe(200);
    expect(res.json.cached).toBe(false);
    const records = h.logRecords();
    expect(records.filter((r) => r.level === "warn")).toEqual([expect.objectContaining({ msg: "store unavailable", step: "admit", policy: "open" })]);
    expect(records.at(-1)).toMatchObject({ status: 200, limit: "store_error_open", cache: "skipped" });
    await store.close();
  });

  it.each([
    ["down", downStore],
    ["slower than the timeout", () => slowStore(1000)],
  ])("store %s, policy closed (prod): 503 store_unavailable with Retry-After, model not called", async (_name, make) => {
    const store = make();
    const h = await harness({ env: "prod", store });
    const before = upstream.requests.length;
    const res = await h.ask(summarize("u_f"));
    expect(res.status).toBe(503);
    expect(res.json).toEqual({ error: { code: "store_unavailable", message: expect.any(String) }, traceId: expect.any(String) });
    expect(res.headers.get("retry-after")).toBe("2");
    expect(upstream.requests.length).toBe(before);
    expect(h.logRecords().filter((r) => r.level === "warn")).toHaveLength(1);
    await store.close();
  });

  it("a failed record after the answer costs a warning, not the answer", async () => {
    const real = createMemoryStore();
    const store: Store = { ...real, record: async () => Promise.reject(new Error("READONLY")) };
    const h = await harness({ env: "staging", store });
    const res = await h.ask(support("u_r", "Do you ship abroad?"));
    expect(res.status).toBe(200);
    expect(h.logRecords().filter((r) => r.level === "warn")).toEqual([expect.objectContaining({ msg: "store unavailable", step: "record" })]);
  });
});

describe("hot path cost", () => {
  it("makes one store round trip before the model call, and one after", async () => {
    const real = createMemoryStore();
    const trips: string[] = [];
    const countingStore: Store = {
      ...real,
      admit: (r) => (trips.push(`admit before model call #${upstream.requests.length}`), real.admit(r)),
      record: (r) => (trips.push(`record after model call #${upstream.requests.length}`), real.record(r)),
    };
    const h = await harness({ env: "staging", store: countingStore });
    const before = upstream.requests.length;
    await h.ask(support("u_trip", `A cacheable question ${randomUUID()}?`));
    expect(trips).toEqual([`admit before model call #${before}`, `record after model call #${before + 1}`]);
    trips.length = 0;
    await h.ask(summarize("u_trip"));
    expect(trips).toHaveLength(2);
  });
});

describe("MINIASK_RATE_LIMITS=off", () => {
  it("turns limits and quota off in dev", async () => {
    const h = await harness({ env: "dev", rawFiles: filesWithLimits("dev", { per_user_intent: { requests: 1, window_seconds: 60 }, daily_tokens: 1 }), processEnv: { MINIASK_RATE_LIMITS: "off" } });
    for (let i = 0; i < 3; i++) expect((await h.ask(summarize("u_off"))).status).toBe(200);
    expect(h.built.startupNotes.join("\n")).toContain("WARNING: MINIASK_RATE_LIMITS=off: no rate limits and no quotas (dev only");
  });

  it("is ignored, with a warning, in staging", async () => {
    const h = await harness({ env: "staging", rawFiles: filesWithLimits("staging", { per_user_intent: { requests: 1, window_seconds: 60 } }), processEnv: { MINIASK_RATE_LIMITS: "off" } });
    expect((await h.ask(summarize("u_on"))).status).toBe(200);
    expect((await h.ask(summarize("u_on"))).status).toBe(429);
    expect(h.built.startupNotes.join("\n")).toContain("MINIASK_RATE_LIMITS=off is ignored in staging");
  });
});
