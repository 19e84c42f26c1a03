// The admission step alone: a real memory store on a fake clock, the dev environment's config
// with limits set here. What it charges (keys, windows, quota reservation and its TTL), what it
// answers (headers, Retry-After), and what a failing store turns into under each policy.
import { describe, expect, it } from "vitest";
import { bundledConfig } from "../lib/config/bundledConfig";
import { type ResolvedEnvironment, environmentOf } from "../lib/config/loadConfig";
import { createAdmit, rateLimitHeaders } from "../lib/limits/admit";
import { createMemoryStore } from "../lib/store/memoryStore";
import type { Store } from "../lib/store/store";
import { QUOTA_TTL_SECONDS, storeKeys } from "../lib/store/storeKeys";
import { retryAfterUntilBeijingMidnight } from "../lib/time/beijingTime";
import { recordingLogger } from "./support/recording";
import { rejection } from "./support/rejection";

// 2027-01-15 10:00:30 Beijing time: 30 s into a minute window, mid-day.
const T0 = Date.UTC(2027, 0, 15, 2, 0, 30);
const PREFIX = "t:";

const devEnv = environmentOf(bundledConfig(), "dev");

function envWith(limits: Partial<ResolvedEnvironment["limits"]> = {}): ResolvedEnvironment {
  return {
    ...devEnv,
    limits: {
      per_user_intent: { requests: 3, window_seconds: 60 },
      per_user: { requests: 5, window_seconds: 120 },
      per_ip: { requests: 10, window_seconds: 60 },
      daily_tokens: 1000,
      on_store_error: "closed",
      store_timeout_ms: 50,
      ...limits,
    },
  };
}

function setup(options: { limits?: Partial<ResolvedEnvironment["limits"]>; limitsOff?: boolean; store?: Store } = {}) {
  let t = T0;
  const now = () => t;
  const store = options.store ?? createMemoryStore(now);
  const { logger, lines } = recordingLogger();
  const admit = createAdmit({ store, env: envWith(options.limits), prefix: PREFIX, logger, now, ...(options.limitsOff === undefined ? {} : { limitsOff: options.limitsOff }) });
  return { admit, store, lines, setTime: (ms: number) => void (t = ms) };
}

const ask = { traceId: "trace-1", userId: "u1", intent: "summarize" as const };

/** A store whose every admit fails (or never answers): our own interface, the way a broken backend looks to the step. */
function failingStore(how: "error" | "hang" | "not_ready"): Store {
  const base = createMemoryStore();
  return {
    ...base,
    kind: "redis",
    ready: () => (how === "not_ready" ? Promise.reject(new Error("ECONNREFUSED")) : Promise.resolve()),
    admit: () => (how === "hang" ? new Promise(() => undefined) : Promise.reject(new Error("ECONNRESET"))),
  };
}

describe("rateLimitHeaders", () => {
  it("says the limit, what is left (never below 0) and the seconds to reset, rounded up", () => {
    expect(rateLimitHeaders({ limit: 10, remaining: 4, resetMs: 1500 })).toEqual({ "x-ratelimit-limit": "10", "x-ratelimit-remaining": "4", "x-ratelimit-reset": "2" });
    expect(rateLimitHeaders({ limit: 10, remaining: -1, resetMs: 59_000 })).toEqual({ "x-ratelimit-limit": "10", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "59" });
  });
});

describe("admit: limits", () => {
  it("admits with the tightest limit's headers, the time of admission and nothing reserved", async () => {
    const { admit } = setup();
    expect(await admit(ask)).toStrictEqual({ headers: { "x-ratelimit-limit": "3", "x-ratelimit-remaining": "2", "x-ratelimit-reset": "30" }, outcome: "ok", reserved: 0, atMs: T0 });
  });

  it("charges the per-user-intent window under its key, in seconds * 1000", async () => {
    const { admit, store } = setup();
    await admit(ask);
    const intentKey = storeKeys.perUserIntent(PREFIX, "u1", "summarize");
    const userKey = storeKeys.perUser(PREFIX, "u1");
    expect(await store.get(`${intentKey}:${Math.floor(T0 / 60_000)}`)).toBe("1");
    expect(await store.get(`${userKey}:${Math.floor(T0 / 120_000)}`)).toBe("1");
  });

  it("refuses the fourth request of an intent with 429 rate_limited and a Retry-After in whole seconds", async () => {
    const { admit } = setup();
    for (let i = 0; i < 3; i++) await admit(ask);
    const err = await rejection(admit(ask));
    expect(err).toMatchObject({ status: 429, code: "rate_limited", message: "too many requests; slow down" });
    // 30 s left of the minute window.
    expect(err.headers).toEqual({ "retry-after": "30", "x-ratelimit-limit": "3", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "30" });
  });

  it("counts every intent of a user against the per-user limit", async () => {
    const { admit } = setup();
    for (const intent of ["summarize", "support", "extract", "recommend", "summarize"] as const) await admit({ ...ask, intent });
    const err = await rejection(admit({ ...ask, intent: "support" }));
    expect(err.code).toBe("rate_limited");
    // The 2-minute window started at 10:00:00 Beijing (an even minute): 90 s left.
    expect(err.headers["x-ratelimit-limit"]).toBe("5");
    expect(err.headers["retry-after"]).toBe("90");
    // Another user is not affected.
    expect((await admit({ ...ask, userId: "u2" })).outcome).toBe("ok");
  });

  it("a Retry-After under a second is 1", async () => {
    const { admit, setTime } = setup({ limits: { per_user_intent: { requests: 1, window_seconds: 1 } } });
    setTime(T0 + 999);
    await admit(ask);
    const err = await rejection(admit(ask));
    expect(err.headers["retry-after"]).toBe("1");
  });
});

describe("admit: quota", () => {
  it("reserves the request's tokens on today's quota key, kept QUOTA_TTL_SECONDS", async () => {
    const { admit, store, setTime } = setup();
    expect(await admit({ ...ask, reserveTokens: 400 })).toMatchObject({ outcome: "ok", reserved: 400 });
    const key = storeKeys.quota(PREFIX, "u1", T0);
    expect(await store.get(key)).toBe("400");
    setTime(T0 + QUOTA_TTL_SECONDS * 1000 - 1);
    expect(await store.get(key)).toBe("400");
    setTime(T0 + QUOTA_TTL_SECONDS * 1000);
    expect(await store.get(key)).toBeUndefined();
  });

  it("without a reservation reserves nothing", async () => {
    const { admit, store } = setup();
    expect(await admit(ask)).toMatchObject({ reserved: 0 });
    expect(await store.get(storeKeys.quota(PREFIX, "u1", T0))).toBeUndefined();
  });

  it("refuses once the day's tokens are spent, with 429 quota_exceeded until Beijing midnight", async () => {
    const { admit } = setup();
    await admit({ ...ask, reserveTokens: 1000 });
    const err = await rejection(admit({ ...ask, reserveTokens: 1 }));
    expect(err).toMatchObject({ status: 429, code: "quota_exceeded", message: "today's quota is used up; it resets at midnight (Beijing time)" });
    expect(err.headers).toEqual({ "retry-after": String(retryAfterUntilBeijingMidnight(T0)) });
    // 10:00:30 Beijing: 13 h 59 min 30 s to midnight.
    expect(err.headers["retry-after"]).toBe(String(14 * 3600 - 30));
  });
});

describe("admit: cache and peek", () => {
  it("returns a cached reply under the cache key, reserving nothing", async () => {
    const { admit, store } = setup();
    await store.set("cache:k", '{"answer":"hi"}', 60);
    expect(await admit({ ...ask, cacheKey: "cache:k", reserveTokens: 500 })).toStrictEqual({
      cached: '{"answer":"hi"}',
      headers: { "x-ratelimit-limit": "3", "x-ratelimit-remaining": "2", "x-ratelimit-reset": "30" },
      outcome: "ok",
      reserved: 0,
      atMs: T0,
    });
  });

  it("passes peeked keys and hash along, and returns what was read", async () => {
    const { admit, store } = setup();
    await store.set("spend", "42", 60);
    await store.set("breakers", JSON.stringify({ "p/m": "x" }), 60);
    expect(await admit({ ...ask, peek: { keys: ["spend", "none"], hash: "breakers" } })).toMatchObject({ peeked: { values: ["42", undefined], hash: { "p/m": "x" } } });
  });
});

describe("admit: budget holds", () => {
  it("passes the hold to the store and says what it held", async () => {
    const { admit, store } = setup();
    const admitted = await admit({ ...ask, peek: { keys: ["held"] }, hold: { keys: ["held"], amount: 250, ttlSeconds: 60 } });
    expect(admitted).toMatchObject({ held: 250, peeked: { values: [undefined] } });
    expect(await store.get("held")).toBe("250");
  });

  it("says nothing held when there was no hold, or a hit", async () => {
    const { admit, store } = setup();
    expect(await admit(ask)).not.toHaveProperty("held");
    await store.set("cache:k", "v", 60);
    expect(await admit({ ...ask, cacheKey: "cache:k", hold: { keys: ["held"], amount: 250, ttlSeconds: 60 } })).not.toHaveProperty("held");
    expect(await store.get("held")).toBeUndefined();
  });
});

describe("admit: limits off (dev benchmarks)", () => {
  it("makes no round trip when there is nothing to read", async () => {
    const { admit } = setup({ limitsOff: true, store: failingStore("error") });
    expect(await admit(ask)).toStrictEqual({ headers: {}, outcome: "off", reserved: 0, atMs: T0 });
  });

  it("still reads the cache, charging no limit and no quota", async () => {
    const { admit, store } = setup({ limitsOff: true });
    await store.set("cache:k", "v", 60);
    expect(await admit({ ...ask, cacheKey: "cache:k", reserveTokens: 100 })).toStrictEqual({ cached: "v", headers: {}, outcome: "off", reserved: 0, atMs: T0 });
    expect(await admit({ ...ask, cacheKey: "cache:none", reserveTokens: 100 })).toStrictEqual({ headers: {}, outcome: "off", reserved: 0, atMs: T0 });
    expect(await store.keys("*", 10)).toEqual(["cache:k"]);
  });

  it("still reads what it is asked to peek", async () => {
    const { admit, store } = setup({ limitsOff: true });
    await store.set("spend", "7", 60);
    expect(await admit({ ...ask, peek: { keys: ["spend"] } })).toMatchObject({ outcome: "off", peeked: { values: ["7"], hash: {} } });
  });
});

describe("admit: a failing store", () => {
  it("closed policy: 503 store_unavailable with Retry-After 2, and one warning saying why", async () => {
    const { admit, lines } = setup({ store: failingStore("error") });
    const err = await rejection(admit(ask));
    expect(err).toMatchObject({ status: 503, code: "store_unavailable", message: "the service is busy; try again shortly" });
    expect(err.headers).toEqual({ "retry-after": "2" });
    expect(lines).toEqual([{ level: "warn", msg: "store unavailable", fields: { traceId: "trace-1", store: "redis", step: "admit", reason: "error", policy: "closed" } }]);
  });

  it("open policy: admitted without limits or cache, outcome store_error_open", async () => {
    const { admit, lines } = setup({ store: failingStore("error"), limits: { on_store_error: "open" } });
    expect(await admit({ ...ask, reserveTokens: 100 })).toStrictEqual({ headers: {}, outcome: "store_error_open", reserved: 0, atMs: T0 });
    expect(lines[0]?.fields).toMatchObject({ reason: "error", policy: "open" });
  });

  it("a store that does not answer within store_timeout_ms is a timeout", async () => {
    const { admit, lines } = setup({ store: failingStore("hang"), limits: { on_store_error: "open" } });
    expect((await admit(ask)).outcome).toBe("store_error_open");
    expect(lines[0]?.fields).toMatchObject({ reason: "timeout", step: "admit" });
  });

  it("a store that cannot connect is an error, not a wait for the connect timeout", async () => {
    const { admit, lines } = setup({ store: failingStore("not_ready") });
    expect((await rejection(admit(ask))).code).toBe("store_unavailable");
    expect(lines[0]?.fields).toMatchObject({ reason: "error" });
  });
});
