// Sharing breakers between instances: the merge rules, the per-instance holder, and the stores'
// newer-wins field writes and the admit script's read of the hash (memory, and the real Redis,
// with two holders playing two instances that meet only through the store).
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BreakerSettings, defaultBreakerSettings } from "../lib/breaker/breakerSettings";
import { BREAKER_HASH_TTL_MS, breakerFieldWrites, breakerHashKey } from "../lib/breaker/breakerStorePlan";
import { type BreakerState, admitCall, closedBreaker, recordCall } from "../lib/breaker/circuitBreaker";
import { createProviderBreakers, targetField, targetOfField } from "../lib/breaker/providerBreakers";
import { mergeShared, parseSnapshot, type SharedSnapshot, snapshotOfTransition } from "../lib/breaker/sharedBreakerState";
import { createMemoryStore } from "../lib/store/memoryStore";
import { createRedisStore } from "../lib/store/redisStore";
import type { Store } from "../lib/store/store";

const s: BreakerSettings = { ...defaultBreakerSettings(), min_failing_users: 1, consecutive_failures: 2, cooldown_ms: 1000, max_cooldown_ms: 8000, shared_stale_ms: 60_000 };
const openShared = (at: number, until: number, n = 0): SharedSnapshot => ({ s: "open", at, until, r: "consecutive_failures", d: "2 failures in a row (last: timeout)", n });

function openLocal(at: number): BreakerState {
  const one = recordCall(closedBreaker(), "failure", "timeout", false, at, s).state;
  return recordCall(one, "failure", "timeout", false, at, s).state;
}

describe("mergeShared", () => {
  it("a closed instance adopts another's open breaker and skips at once", () => {
    const r = mergeShared(closedBreaker(), openShared(5000, 6000), 5100, s);
    expect(r.state).toMatchObject({ kind: "open", openedAtMs: 5000, untilMs: 6000, reason: "shared" });
    expect(r.transition).toEqual({ type: "opened", atMs: 5100, untilMs: 6000, reason: "shared", detail: "2 failures in a row (last: timeout)", reopenCount: 0, source: "shared" });
    expect(admitCall(r.state, 5200, s).admission).toMatchObject({ allowed: false, reason: "open", untilMs: 6000 });
  });

  it("a shared open whose cool-down has passed still makes this instance's next call a probe", () => {
    const r = mergeShared(closedBreaker(), openShared(5000, 6000), 9000, s);
    expect(admitCall(r.state, 9000, s).admission).toEqual({ allowed: true, probe: true });
  });

  it("ignores a stale open (its writer never came back) and an open older than our own closing", () => {
    expect(mergeShared(closedBreaker(), openShared(5000, 6000), 6000 + 60_000, s).transition).toBeUndefined();
    const closedAt7000 = closedBreaker(7000);
    expect(mergeShared(closedAt7000, openShared(5000, 8000), 7100, s).state).toBe(closedAt7000);
  });

  it("open here and there: keeps ours but never ends before the shared cool-down", () => {
    const local = openLocal(1000); // until 2000
    const later = mergeShared(local, openShared(1500, 4000, 2), 1600, s);
    expect(later.state).toMatchObject({ kind: "open", openedAtMs: 1000, untilMs: 4000, reason: "consecutive_failures", reopenCount: 2 });
    expect(later.transition).toBeUndefined();
    expect(mergeShared(local, openShared(900, 1500), 1600, s).state).toBe(local);
  });

  it("half-open here: our probe decides, whatever the store says", () => {
    const half = admitCall(openLocal(1000), 2000, s).state;
    expect(mergeShared(half, openShared(2100, 5000), 2200, s).state).toBe(half);
  });

  it("a closing newer than our opening closes us; an older one does not", () => {
    const local = openLocal(1000);
    const r = mergeShared(local, { s: "closed", at: 1800 }, 1900, s);
    expect(r.state).toEqual({ kind: "closed", sinceMs: 1800, consecutiveFailures: 0, buckets: [] });
    expect(r.transition).toEqual({ type: "closed", atMs: 1900, source: "shared" });
    expect(mergeShared(local, { s: "closed", at: 900 }, 1900, s).state).toBe(local);
    const half = admitCall(local, 2000, s).state;
    expect(mergeShared(half, { s: "closed", at: 2050 }, 2100, s).state.kind).toBe("closed");
    expect(mergeShared(closedBreaker(), { s: "closed", at: 2050 }, 2100, s).transition).toBeUndefined();
  });

  it("nothing shared, or sharing disabled: unchanged", () => {
    const local = openLocal(1000);
    expect(mergeShared(local, undefined, 1100, s).state).toBe(local);
    expect(mergeShared(closedBreaker(), openShared(1000, 2000), 1100, { ...s, enabled: false }).transition).toBeUndefined();
  });
});

describe("snapshots", () => {
  it("are written for local opens and closes only, compactly", () => {
    const opened = recordCall(recordCall(closedBreaker(), "failure", "timeout", false, 1000, s).state, "failure", "connection", false, 1000, s).transition;
    if (!opened) throw new Error("expected a transition");
    const snap = snapshotOfTransition(opened);
    expect(snap).toEqual({ s: "open", at: 1000, until: 2000, r: "consecutive_failures", d: "2 failures in a row (last: connection)", n: 0 });
    expect(JSON.stringify(snap).length).toBeLessThan(120);
    expect(snapshotOfTransition({ type: "half_open", atMs: 1 })).toBeUndefined();
    expect(snapshotOfTransition({ type: "closed", atMs: 1, source: "shared" })).toBeUndefined();
    expect(snapshotOfTransition({ type: "closed", atMs: 7, source: "local" })).toEqual({ s: "closed", at: 7 });
    // A long reason is cut to 200 characters: a hash field stays a few hundred bytes.
    const long = snapshotOfTransition({ type: "opened", atMs: 1, untilMs: 2, reason: "failure_rate", detail: "x".repeat(500), reopenCount: 3, source: "local" });
    expect(long).toEqual({ s: "open", at: 1, until: 2, r: "failure_rate", d: "x".repeat(200), n: 3 });
  });

  it("parse what we wrote and nothing else", () => {
    expect(parseSnapshot(JSON.stringify(openShared(1, 2)))).toEqual(openShared(1, 2));
    expect(parseSnapshot('{"s":"closed","at":5}')).toEqual({ s: "closed", at: 5 });
    for (const bad of [undefined, "", "not json", "{}", '{"s":"open","at":1}', '{"s":"half_open","at":1}', "[1,2]"]) expect(parseSnapshot(bad)).toBeUndefined();
  });

  it("newer wins (the memory store's rule)", async () => {
    const store = createMemoryStore();
    const prefix = "mem:";
    const field = targetField({ provider: "qwen", model: "qwen-turbo" });
    const a = JSON.stringify(openShared(1000, 2000));
    const b = JSON.stringify({ s: "closed", at: 1500 } satisfies SharedSnapshot);
    const hash = async () => ((await store.admit({ nowMs: 0, limits: [], peek: { hash: breakerHashKey(prefix) } })) as { peeked: { hash: Record<string, string> } }).peeked.hash;
    await store.record({ newerFields: breakerFieldWrites(prefix, { [field]: a }) });
    expect(await hash()).toEqual({ [field]: a });
    await store.record({ newerFields: breakerFieldWrites(prefix, { [field]: b }) });
    expect(await hash()).toEqual({ [field]: b });
    await store.record({ newerFields: breakerFieldWrites(prefix, { [field]: a }) });
    expect(await hash()).toEqual({ [field]: b });
  });

  it("target fields split on the first slash (model names may hold slashes)", () => {
    expect(targetField({ provider: "qwen", model: "Qwen/Qwen2.5-7B" })).toBe("qwen/Qwen/Qwen2.5-7B");
    expect(targetOfField("qwen/Qwen/Qwen2.5-7B")).toEqual({ provider: "qwen", model: "Qwen/Qwen2.5-7B" });
    expect([targetOfField("noslash"), targetOfField("/model"), targetOfField("provider/")]).toEqual([undefined, undefined, undefined]);
  });
});

describe("createProviderBreakers", () => {
  const hunyuan = { provider: "hunyuan", model: "hunyuan-turbos-latest" };
  const qwen = { provider: "qwen", model: "qwen-turbo" };

  it("keeps one breaker per target and names the target in every event", () => {
    let now = 0;
    const breakers = createProviderBreakers(s, () => now);
    expect(breakers.record(hunyuan, "timeout", false)).toEqual([]);
    expect(breakers.record(qwen, "ok", false)).toEqual([]);
    const events = breakers.record(hunyuan, "server_error", false);
    expect(events).toEqual([{ type: "opened", atMs: 0, untilMs: 1000, reason: "consecutive_failures", detail: "2 failures in a row (last: server_error)", reopenCount: 0, source: "local", ...hunyuan }]);
    expect(breakers.admit(hunyuan).admission.allowed).toBe(false);
    expect(breakers.admit(qwen).admission.allowed).toBe(true);
    expect(breakers.view()).toEqual([
      { ...hunyuan, state: "open", untilMs: 1000, reason: "consecutive_failures", detail: "2 failures in a row (last: server_error)", callsInWindow: 0, failuresInWindow: 0, consecutiveFailures: 0 },
      { ...qwen, state: "closed", callsInWindow: 1, failuresInWindow: 0, consecutiveFailures: 0 },
    ]);
    now = 1000;
    const probe = breakers.admit(hunyuan);
    expect(probe).toEqual({ admission: { allowed: true, probe: true }, events: [{ type: "half_open", atMs: 1000, ...hunyuan }] });
    now = 1100;
    expect(breakers.record(hunyuan, "ok", true)).toEqual([{ type: "closed", atMs: 1100, source: "local", ...hunyuan }]);
  });

  it("outcomes that made no call are not counted, and a probe that made none frees its slot", () => {
    let now = 0;
    const breakers = createProviderBreakers(s, () => now);
    breakers.record(hunyuan, "timeout", false);
    expect(breakers.record(hunyuan, "retry_after_exceeds_budget", false)).toEqual([]);
    expect(breakers.view()[0]).toMatchObject({ consecutiveFailures: 1, callsInWindow: 1 });
    breakers.record(hunyuan, "timeout", false);
    now = 1000;
    expect(breakers.admit(hunyuan).admission).toEqual({ allowed: true, probe: true });
    expect(breakers.admit(hunyuan).admission.allowed).toBe(false);
    breakers.record(hunyuan, "retry_after_exceeds_budget", true);
    expect(breakers.admit(hunyuan).admission).toEqual({ allowed: true, probe: true });
  });

  it("sharedWrites keeps only this instance's own opens and closes; mergeShared skips foreign fields", () => {
    const breakers = createProviderBreakers(s, () => 0);
    const writes = breakers.sharedWrites([
      { type: "opened", atMs: 1, untilMs: 2, reason: "failure_rate", detail: "d", reopenCount: 0, source: "local", ...hunyuan },
      { type: "half_open", atMs: 1, ...qwen },
      { type: "closed", atMs: 3, source: "shared", ...qwen },
    ]);
    expect(writes).toEqual({ "hunyuan/hunyuan-turbos-latest": '{"s":"open","at":1,"until":2,"r":"failure_rate","d":"d","n":0}' });
    expect(breakers.mergeShared({ garbage: "x", "qwen/qwen-turbo": "not json" })).toEqual([]);
  });
});

describe("through the real Redis: two instances", () => {
  let redis: Redis;
  let store: Store;
  const prefix = `test:${randomUUID()}:`;
  const key = breakerHashKey(prefix);
  const hunyuan = { provider: "hunyuan", model: "hunyuan-turbos-latest" };

  beforeAll(() => {
    redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
    store = createRedisStore("redis://127.0.0.1:6379");
  });
  afterAll(async () => {
    await redis.del(key);
    redis.disconnect();
    await store.close();
  });

  // As the record step writes and the admission trip reads: the store's own commands.
  const write = async (writes: Record<string, string>) => void (await store.record({ newerFields: breakerFieldWrites(prefix, writes) }));
  const read = async () => {
    const admitted = await store.admit({ nowMs: Date.now(), limits: [], peek: { hash: key } });
    return admitted.outcome === "admitted" ? (admitted.peeked?.hash ?? {}) : {};
  };

  it("an instance that opened a breaker is seen by another, which skips without calling; the probe's closing reaches the first", async () => {
    let now = Date.now();
    const a = createProviderBreakers(s, () => now);
    const b = createProviderBreakers(s, () => now);
    a.record(hunyuan, "timeout", false);
    const opened = a.record(hunyuan, "connection", false);
    await write(a.sharedWrites(opened));
    expect(await redis.hget(key, targetField(hunyuan))).toBe(a.sharedWrites(opened)[targetField(hunyuan)]);
    expect(await redis.pttl(key)).toBeGreaterThan(BREAKER_HASH_TTL_MS - 60_000);

    const seen = b.mergeShared(await read());
    expect(seen).toMatchObject([{ type: "opened", reason: "shared", source: "shared", ...hunyuan }]);
    expect(b.admit(hunyuan).admission).toMatchObject({ allowed: false, reason: "open" });
    expect(b.sharedWrites(seen)).toEqual({});

    now += 1000;
    expect(b.admit(hunyuan).admission).toEqual({ allowed: true, probe: true });
    now += 50;
    const closed = b.record(hunyuan, "ok", true);
    await write(b.sharedWrites(closed));
    expect(a.mergeShared(await read())).toMatchObject([{ type: "closed", source: "shared", ...hunyuan }]);
    expect(a.admit(hunyuan).admission).toEqual({ allowed: true, probe: false });
  });

  it("newer wins in the store: a late, older open does not overwrite a closing", async () => {
    const field = targetField({ provider: "deepseek", model: "deepseek-chat" });
    const closing = JSON.stringify({ s: "closed", at: 5000 });
    await write({ [field]: closing });
    expect(await redis.hget(key, field)).toBe(closing);
    await write({ [field]: JSON.stringify({ s: "open", at: 4000, until: 9000, r: "failure_rate" }) });
    expect(await redis.hget(key, field)).toBe(closing);
    const newer = JSON.stringify({ s: "open", at: 6000, until: 9000, r: "probe_failed", n: 1 });
    await write({ [field]: newer });
    expect(await redis.hget(key, field)).toBe(newer);
    // A field someone else garbled is simply replaced.
    await redis.hset(key, field, "garbage");
    await write({ [field]: closing });
    expect(await redis.hget(key, field)).toBe(closing);
  });
});
