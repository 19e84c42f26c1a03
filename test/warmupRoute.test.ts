// POST /v1/mini/warmup over real HTTP, on a real Redis and on one that is down: the keyless ping
// does nothing (no store call), answers the same either way, and is limited per address.
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpServer, listen } from "../lib/http/nodeServer";
import { createRouter } from "../lib/http/router";
import { createMemoryStore } from "../lib/store/memoryStore";
import { createRedisStore } from "../lib/store/redisStore";
import type { Store } from "../lib/store/store";
import { createPingLimit } from "../lib/warmup/pingLimit";
import { KEYLESS_PINGS, createWarmupRoute } from "../lib/warmup/warmupRoute";
import { recordingLogger } from "./support/recording";

/** The real store, with every call counted (the route must make none without the key). */
function counted(store: Store): { store: Store; calls: string[] } {
  const calls: string[] = [];
  const wrapped = Object.fromEntries(
    Object.entries(store).map(([name, value]) => [name, typeof value === "function" ? (...args: unknown[]) => (calls.push(name), (value as (...a: unknown[]) => unknown).apply(store, args)) : value]),
  ) as unknown as Store;
  return { store: wrapped, calls };
}

const debugLines: { msg: string; fields?: Record<string, unknown> }[] = [];

async function serve(store: Store, limit?: { requests: number; windowMs: number }, warmupKey: string | undefined = "timer-key-0123456789"): Promise<{ url: string; server: Server }> {
  const log = recordingLogger();
  const route = createWarmupRoute({ ...(warmupKey === undefined ? {} : { warmupKey }), store, storeTimeoutMs: 100, logger: { ...log.logger, debug: (msg, fields) => void debugLines.push({ msg, ...(fields ? { fields } : {}) }) }, ...(limit ? { limit } : {}) });
  const server = createHttpServer(createRouter({ "POST /v1/mini/warmup": route }, { logger: log.logger, env: "staging" }), { clientIpHeader: "x-scf-remote-addr" });
  const port = await listen(server, 0, "127.0.0.1");
  return { url: `http://127.0.0.1:${port}/v1/mini/warmup`, server };
}

const ping = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { method: "POST", headers: { "x-scf-remote-addr": "203.0.113.9", ...headers } });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
};

describe("POST /v1/mini/warmup", () => {
  const up = counted(createRedisStore("redis://127.0.0.1:6379"));
  const down = counted(createRedisStore("redis://127.0.0.1:1"));
  const servers: Server[] = [];
  let upUrl = "";
  let downUrl = "";
  beforeAll(async () => {
    const a = await serve(up.store);
    const b = await serve(down.store);
    servers.push(a.server, b.server);
    upUrl = a.url;
    downUrl = b.url;
  });
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    await up.store.close();
    await down.store.close();
  });

  it("without the key: no store call, and the same answer whether the store is up or down", async () => {
    const a = await ping(upUrl, { "x-miniask-warmup-hold-ms": "1000" });
    const b = await ping(downUrl, { "x-miniask-warmup-key": "wrong-key-0123456789" });
    expect(a).toMatchObject({ status: 200, json: { warm: true, heldMs: 0 } });
    expect(b.json).toEqual(a.json);
    expect(Object.keys(a.json).sort()).toEqual(["heldMs", "warm"]);
    expect(up.calls).toEqual([]);
    expect(down.calls).toEqual([]);
  });

  it("with the key: pings the store, holds as asked (at most a second), and says how the store is", async () => {
    debugLines.splice(0);
    expect(await ping(upUrl, { "x-miniask-warmup-key": "timer-key-0123456789", "x-miniask-warmup-hold-ms": "5" })).toMatchObject({ status: 200, json: { warm: true, store: "ok", heldMs: 5 } });
    // One debug line with how the store was and how long it took (at least the hold, far under a minute).
    expect(debugLines).toEqual([{ msg: "warmup", fields: { store: "ok", ms: expect.any(Number) } }]);
    expect(debugLines[0]!.fields!.ms).toBeGreaterThanOrEqual(4);
    expect(debugLines[0]!.fields!.ms).toBeLessThan(60_000);
    expect(up.calls).toContain("ping");
    expect((await ping(downUrl, { "x-miniask-warmup-key": "timer-key-0123456789", "x-miniask-warmup-hold-ms": "99999" })).json).toEqual({ warm: true, store: "unreachable", heldMs: 1000 });
    expect((await ping(upUrl, { "x-miniask-warmup-key": "timer-key-0123456789", "x-miniask-warmup-hold-ms": "-5" })).json).toMatchObject({ heldMs: 0 });
    expect((await ping(upUrl, { "x-miniask-warmup-key": "timer-key-0123456789", "x-miniask-warmup-hold-ms": "soon" })).json).toMatchObject({ heldMs: 0 });
  });

  it("without a key configured, every ping is keyless, whatever it sends; the default limit is 20 a minute", async () => {
    const store = counted(createMemoryStore());
    const { url, server } = await serve(store.store, undefined, undefined);
    servers.push(server);
    for (let i = 0; i < KEYLESS_PINGS.requests; i++) expect((await ping(url, { "x-miniask-warmup-key": "", "x-miniask-warmup-hold-ms": "50" })).json).toEqual({ warm: true, heldMs: 0 });
    const refused = await ping(url);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe(String(KEYLESS_PINGS.windowMs / 1000));
    expect(store.calls).toEqual([]);
  });

  it("limits keyless pings per address (in memory, still no store call), never the timer's", async () => {
    const store = counted(createMemoryStore());
    const { url, server } = await serve(store.store, { requests: 3, windowMs: 60_000 });
    servers.push(server);
    for (let i = 0; i < 3; i++) expect((await ping(url)).status).toBe(200);
    const refused = await ping(url);
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({ error: { code: "rate_limited", message: "too many requests from this address; slow down" }, traceId: expect.any(String) });
    expect(refused.headers.get("retry-after")).toBe("60");
    // Another address, and the timer, still get through.
    expect((await ping(url, { "x-scf-remote-addr": "203.0.113.10" })).status).toBe(200);
    expect((await ping(url, { "x-miniask-warmup-key": "timer-key-0123456789" })).status).toBe(200);
    expect(store.calls).toEqual(["ping"]);
  });
});

describe("createPingLimit", () => {
  it("counts each address in its own window, and starts a new window after windowMs", () => {
    let t = 0;
    const limit = createPingLimit({ requests: 2, windowMs: 1000, now: () => t });
    expect([limit.allow("a"), limit.allow("a"), limit.allow("a"), limit.allow("b")]).toEqual([true, true, false, true]);
    t = 999;
    expect(limit.allow("a")).toBe(false);
    t = 1000;
    expect(limit.allow("a")).toBe(true);
  });
  it("puts unknown addresses in one bucket", () => {
    const limit = createPingLimit({ requests: 1, windowMs: 1000, now: () => 0 });
    expect([limit.allow(undefined), limit.allow(undefined), limit.allow("unknown")]).toEqual([true, false, false]);
  });
  it("forgets the least recently seen address past its cap", () => {
    const limit = createPingLimit({ requests: 1, windowMs: 1000, now: () => 0, maxAddresses: 2 });
    limit.allow("a");
    limit.allow("b");
    limit.allow("a");
    limit.allow("c"); // b goes: a was seen last
    expect(limit.allow("a")).toBe(false);
    expect(limit.allow("b")).toBe(true);
  });
});
