// The per-IP limit for traffic without a valid token, alone: a real memory store on a fake clock.
import { describe, expect, it } from "vitest";
import { bundledConfig } from "../lib/config/bundledConfig";
import { type ResolvedEnvironment, environmentOf } from "../lib/config/loadConfig";
import { createIpLimit } from "../lib/limits/ipLimit";
import { createMemoryStore } from "../lib/store/memoryStore";
import type { Store } from "../lib/store/store";
import { storeKeys } from "../lib/store/storeKeys";
import { recordingLogger } from "./support/recording";
import { rejection } from "./support/rejection";

// 20 s into a minute window.
const T0 = Date.UTC(2027, 0, 15, 2, 0, 20);
const PREFIX = "t:";
const devEnv = environmentOf(bundledConfig(), "dev");

function setup(options: { perIp?: { requests: number; window_seconds: number }; limitsOff?: boolean; store?: Store } = {}) {
  let t = T0;
  const now = () => t;
  const store = options.store ?? createMemoryStore(now);
  const { logger, lines } = recordingLogger();
  const env: ResolvedEnvironment = { ...devEnv, limits: { ...devEnv.limits, per_ip: options.perIp ?? { requests: 2, window_seconds: 60 }, store_timeout_ms: 50 } };
  const limit = createIpLimit({ store, env, prefix: PREFIX, logger, now, ...(options.limitsOff === undefined ? {} : { limitsOff: options.limitsOff }) });
  return { limit, store, lines, setTime: (ms: number) => void (t = ms) };
}

describe("per-IP limit", () => {
  it("lets per_ip.requests through in the window, then 429 rate_limited with the time to reset", async () => {
    const { limit } = setup();
    await expect(limit("10.0.0.1", "t1")).resolves.toBeUndefined();
    await expect(limit("10.0.0.1", "t2")).resolves.toBeUndefined();
    const err = await rejection(limit("10.0.0.1", "t3"));
    expect(err).toMatchObject({ status: 429, code: "rate_limited", message: "too many requests from this address; slow down" });
    expect(err.headers).toEqual({ "retry-after": "40", "x-ratelimit-limit": "2", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "40" });
  });

  it("counts each address under its own key, with its window in seconds * 1000", async () => {
    const { limit, store } = setup();
    await limit("10.0.0.1", "t1");
    await limit("10.0.0.2", "t2");
    expect(await store.get(`${storeKeys.perIp(PREFIX, "10.0.0.1")}:${Math.floor(T0 / 60_000)}`)).toBe("1");
    expect(await store.get(`${storeKeys.perIp(PREFIX, "10.0.0.2")}:${Math.floor(T0 / 60_000)}`)).toBe("1");
    await limit("10.0.0.1", "t3");
    await expect(limit("10.0.0.2", "t4")).resolves.toBeUndefined();
  });

  it("an unknown address shares one counter", async () => {
    const { limit, store } = setup();
    await limit(undefined, "t1");
    await limit(undefined, "t2");
    expect(await store.get(`${storeKeys.perIp(PREFIX, "unknown")}:${Math.floor(T0 / 60_000)}`)).toBe("2");
    expect((await rejection(limit(undefined, "t3"))).code).toBe("rate_limited");
  });

  it("a Retry-After under a second is 1", async () => {
    const { limit, setTime } = setup({ perIp: { requests: 1, window_seconds: 1 } });
    setTime(T0 + 999);
    await limit("10.0.0.1", "t1");
    expect((await rejection(limit("10.0.0.1", "t2"))).headers["retry-after"]).toBe("1");
  });

  it("with limits off, neither counts nor refuses", async () => {
    const { limit, store } = setup({ limitsOff: true, perIp: { requests: 1, window_seconds: 60 } });
    for (let i = 0; i < 3; i++) await expect(limit("10.0.0.1", `t${i}`)).resolves.toBeUndefined();
    expect(await store.keys("*", 10)).toEqual([]);
  });

  it("with limits explicitly on, counts", async () => {
    const { limit } = setup({ limitsOff: false, perIp: { requests: 1, window_seconds: 60 } });
    await limit("10.0.0.1", "t1");
    expect((await rejection(limit("10.0.0.1", "t2"))).code).toBe("rate_limited");
  });

  it("a store outage lets the request on (it fails anyway) with one warning", async () => {
    const broken: Store = { ...createMemoryStore(), kind: "redis", admit: () => Promise.reject(new Error("ECONNRESET")) };
    const { limit, lines } = setup({ store: broken });
    await expect(limit("10.0.0.1", "t1")).resolves.toBeUndefined();
    expect(lines).toEqual([{ level: "warn", msg: "store unavailable", fields: { traceId: "t1", store: "redis", step: "ip_limit" } }]);
  });

  it("a store that does not answer within store_timeout_ms is an outage too", async () => {
    const hung: Store = { ...createMemoryStore(), kind: "redis", admit: () => new Promise(() => undefined) };
    const { limit, lines } = setup({ store: hung });
    await expect(limit("10.0.0.1", "t1")).resolves.toBeUndefined();
    expect(lines).toHaveLength(1);
  });
});
