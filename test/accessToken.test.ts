// The access_token source against the fake WeChat and the real Redis: one fetch shared by
// instances and processes, renewed before it expires, replaced once when WeChat refuses it.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { AccessTokenUnavailable, type TokenStore, createAccessTokenSource } from "../lib/contentSecurity/accessToken";
import { type RedisTokenStore, createMemoryTokenStore, createRedisTokenStore, deletePrefix, testPrefix } from "./support/csStore";
import { FAKE_APPID, FAKE_SECRET, type FakeWechat, startFakeWechat } from "./support/fakeWechat";

let wechat: FakeWechat;
let prefix: string;
const stores: RedisTokenStore[] = [];
const redisStore = () => {
  const store = createRedisTokenStore();
  stores.push(store);
  return store;
};

beforeEach(async () => {
  wechat = await startFakeWechat();
  prefix = testPrefix();
});
afterEach(async () => {
  await wechat.close();
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await deletePrefix(prefix);
});

const source = (store: TokenStore, extra: Partial<Parameters<typeof createAccessTokenSource>[0]> = {}) =>
  createAccessTokenSource({ credentials: { appId: FAKE_APPID, secret: FAKE_SECRET, apiBase: wechat.url }, store, keyPrefix: prefix, now: () => wechat.now(), ...extra });
// Deadlines are on the same clock as the source (the fake's, which tests move forward).
const soon = () => wechat.now() + 5000;
const tokenCallCount = () => wechat.tokenCalls.length;

describe("access_token through stable_token", () => {
  it("fetches once in normal mode, then serves from memory and the store", async () => {
    const a = source(redisStore());
    const first = await a.get(soon());
    expect(first.fetched).toBe(true);
    expect(wechat.tokenCalls[0]?.body).toEqual({ grant_type: "client_credential", appid: FAKE_APPID, secret: FAKE_SECRET, force_refresh: false });
    expect(await a.get(soon())).toEqual({ token: first.token, fetched: false });
    // A new instance (cold start) finds it in the store.
    const coldStore = redisStore();
    expect(await source(coldStore).get(soon())).toEqual({ token: first.token, fetched: false });
    expect(coldStore.counts.get).toBe(1);
    expect(tokenCallCount()).toBe(1);
  });

  it("two instances that share only Redis make one fetch between them, however many ask at once", async () => {
    wechat.setLatency("stable_token", 150);
    const a = source(redisStore());
    const b = source(redisStore());
    const got = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).get(soon())));
    expect(new Set(got.map((g) => g.token)).size).toBe(1);
    expect(got.filter((g) => g.fetched)).toHaveLength(1);
    expect(tokenCallCount()).toBe(1);
  });

  it("two processes that share only Redis make one fetch between them", async () => {
    wechat.setLatency("stable_token", 300);
    const goAt = Date.now() + 4000;
    const script = join(tmpdir(), `miniask-cs-${randomUUID()}.mts`);
    await writeFile(script, `
      import { createAccessTokenSource } from "${process.cwd()}/lib/contentSecurity/accessToken.ts";
      import { createRedisTokenStore } from "${process.cwd()}/test/support/csStore.ts";
      const store = createRedisTokenStore();
      await store.get("warm-up");
      const tokens = createAccessTokenSource({ credentials: { appId: "${FAKE_APPID}", secret: "${FAKE_SECRET}", apiBase: "${wechat.url}" }, store, keyPrefix: "${prefix}" });
      await new Promise((r) => setTimeout(r, ${goAt} - Date.now()));
      const got = await Promise.all([1, 2, 3, 4, 5].map(() => tokens.get(Date.now() + 5000)));
      console.log(JSON.stringify(got));
      await store.close();
    `);
    const run = () =>
      new Promise<{ token: string; fetched: boolean }[]>((resolve, reject) => {
        const child = spawn(`${process.cwd()}/node_modules/.bin/tsx`, [script], { cwd: process.cwd() });
        let out = "";
        let err = "";
        child.stdout.on("data", (c: Buffer) => (out += c.toString()));
        child.stderr.on("data", (c: Buffer) => (err += c.toString()));
        child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`child exited ${code}: ${err}`))));
      });
    const [one, two] = await Promise.all([run(), run()]).finally(() => rm(script, { force: true }));
    const all = [...(one ?? []), ...(two ?? [])];
    expect(all).toHaveLength(10);
    expect(new Set(all.map((g) => g.token)).size).toBe(1);
    expect(all.filter((g) => g.fetched)).toHaveLength(1);
    expect(tokenCallCount()).toBe(1);
  });

  it("renews 5 minutes before expiry, and not before", async () => {
    const a = source(redisStore());
    const first = (await a.get(soon())).token;
    wechat.advanceClock(7200_000 - 6 * 60_000);
    expect(await a.get(soon())).toEqual({ token: first, fetched: false });
    wechat.advanceClock(90_000); // 4.5 minutes left: WeChat renews in normal mode now
    const renewed = await a.get(soon());
    expect(renewed.fetched).toBe(true);
    expect(renewed.token).not.toBe(first);
    expect(tokenCallCount()).toBe(2);
    // Another instance picks the renewed token up from the store.
    expect((await source(redisStore()).get(soon())).token).toBe(renewed.token);
  });

  it("does not refetch on every request when WeChat hands back a token with little time left", async () => {
    // Renewing 7 minutes early asks WeChat before its own 5-minute window: it hands back the
    // current token with ~360 s left.
    const b = source(createMemoryTokenStore(() => wechat.now()), { refreshEarlyMs: 7 * 60_000 });
    const first = await b.get(soon());
    wechat.advanceClock(7200_000 - 6 * 60_000);
    const got = await b.get(soon());
    expect(got).toEqual({ token: first.token, fetched: true });
    for (let i = 0; i < 5; i++) expect(await b.get(soon())).toEqual({ token: first.token, fetched: false });
    expect(tokenCallCount()).toBe(2);
  });

  it("replaces a token WeChat refused (40001) with one fetch, shared by instances that saw it too", async () => {
    wechat.setLatency("stable_token", 100);
    const a = source(redisStore());
    const b = source(redisStore());
    const bad = (await a.get(soon())).token;
    expect((await b.get(soon())).token).toBe(bad);
    wechat.expireTokensNow();
    const [ra, rb] = await Promise.all([a.replace(bad, soon()), b.replace(bad, soon())]);
    expect(ra.token).not.toBe(bad);
    expect(rb.token).toBe(ra.token);
    expect(tokenCallCount()).toBe(2);
    expect(await a.get(soon())).toEqual({ token: ra.token, fetched: false });
  });

  it("while another instance holds the refresh lock, uses a still-valid old token", async () => {
    const store = redisStore();
    const a = source(store);
    const old = (await a.get(soon())).token;
    wechat.advanceClock(7200_000 - 4 * 60_000); // due for renewal, still valid
    await store.setIfAbsent(`${prefix}wechat:access_token:${FAKE_APPID}:lock`, "someone-else", 2000);
    expect(await source(redisStore()).get(soon())).toEqual({ token: old, fetched: false });
    expect(tokenCallCount()).toBe(1);
  });

  it("with no usable token, waits for the lock holder's token in the store", async () => {
    const store = redisStore();
    const lockKey = `${prefix}wechat:access_token:${FAKE_APPID}:lock`;
    await store.setIfAbsent(lockKey, "someone-else", 3000);
    const waiting = source(redisStore(), { pollMs: 20 }).get(soon());
    await new Promise((r) => setTimeout(r, 100));
    // The "other instance" finishes its refresh.
    const theirs = await source(createMemoryTokenStore()).get(soon());
    await store.set(`${prefix}wechat:access_token:${FAKE_APPID}`, JSON.stringify({ token: theirs.token, expiresAtMs: wechat.now() + 7200_000, refreshAtMs: wechat.now() + 6900_000 }), 7200);
    expect(await waiting).toEqual({ token: theirs.token, fetched: false });
    expect(tokenCallCount()).toBe(1);
  });

  it("takes over when the lock holder died (its lock expires)", async () => {
    const store = redisStore();
    await store.setIfAbsent(`${prefix}wechat:access_token:${FAKE_APPID}:lock`, "crashed", 200);
    const got = await source(redisStore(), { pollMs: 20 }).get(soon());
    expect(got.fetched).toBe(true);
    expect(tokenCallCount()).toBe(1);
  });

  it("releases its lock after a refresh", async () => {
    const store = redisStore();
    await source(store).get(soon());
    expect(store.counts.setIfAbsent).toBe(1);
    expect(store.counts.del).toBe(1);
    expect(await store.get(`${prefix}wechat:access_token:${FAKE_APPID}:lock`)).toBeUndefined();
  });

  it("still gets a token when the store is down (each instance fetches for itself)", async () => {
    const down: TokenStore = { get: () => Promise.reject(new Error("ECONNREFUSED")), set: () => Promise.reject(new Error("ECONNREFUSED")), setIfAbsent: () => Promise.reject(new Error("ECONNREFUSED")), del: () => Promise.reject(new Error("ECONNREFUSED")) };
    const got = await source(down).get(soon());
    expect(got.fetched).toBe(true);
    expect(await source(down).get(soon())).toMatchObject({ token: got.token });
  });

  it("ignores a store entry it cannot read", async () => {
    const store = redisStore();
    await store.set(`${prefix}wechat:access_token:${FAKE_APPID}`, "{not json", 60);
    expect((await source(store).get(soon())).fetched).toBe(true);
  });

  it.each([
    ["a wrong secret", { secret: "wrong" }, "refused", 40125],
    ["a wrong appid", { appId: "wxnot" }, "refused", 40013],
  ])("reports %s as AccessTokenUnavailable without WeChat's errmsg", async (_, credentials, reason, errcode) => {
    const a = createAccessTokenSource({ credentials: { appId: FAKE_APPID, secret: FAKE_SECRET, apiBase: wechat.url, ...credentials }, store: createMemoryTokenStore(), keyPrefix: prefix });
    const err = await a.get(soon()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessTokenUnavailable);
    expect(err).toMatchObject({ reason, errcode });
    expect(String((err as Error).message)).not.toContain("wrong");
  });

  it("keeps using a still-valid token when its early renewal fails", async () => {
    const a = source(createMemoryTokenStore(() => wechat.now()));
    const old = (await a.get(soon())).token;
    wechat.advanceClock(7200_000 - 4 * 60_000);
    wechat.setBusy("stable_token", 1);
    expect(await a.get(soon())).toEqual({ token: old, fetched: false });
    // The next request tries again, and renews.
    const renewed = await a.get(soon());
    expect(renewed.fetched).toBe(true);
    expect(renewed.token).not.toBe(old);
  });

  it("reports busy (-1) and an unreachable WeChat", async () => {
    wechat.setBusy("stable_token", 1);
    await expect(source(createMemoryTokenStore()).get(soon())).rejects.toMatchObject({ reason: "refused", errcode: -1 });
    const gone = createAccessTokenSource({ credentials: { appId: FAKE_APPID, secret: FAKE_SECRET, apiBase: "http://127.0.0.1:9" }, store: createMemoryTokenStore() });
    await expect(gone.get(soon())).rejects.toMatchObject({ reason: "network" });
  });

  it("gives up at the caller's deadline", async () => {
    wechat.setLatency("stable_token", 1000);
    const started = Date.now();
    await expect(source(createMemoryTokenStore()).get(Date.now() + 100)).rejects.toMatchObject({ reason: "timeout" });
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe("stable_token's fetch deadline counts WeChat's time, not our loop's", () => {
  // WeChat's documented stable_token reply ({access_token, expires_in}), sent either at once and
  // then followed, in this same process, by a loop blocked past the fetch deadline (the reply
  // waits unread in the socket), or only after the deadline (WeChat really is late).
  async function stableTokenServer(lateMs: number | undefined) {
    const server = createServer((req, res) => {
      const answer = () => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: "ACCESS_TOKEN", expires_in: 7200 }));
      req.resume().on("end", () => {
        if (lateMs !== undefined) return void setTimeout(answer, lateMs);
        answer();
        const end = performance.now() + 150;
        while (performance.now() < end);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { server, apiBase: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }
  const fetchOnce = (apiBase: string) => createAccessTokenSource({ credentials: { appId: FAKE_APPID, secret: FAKE_SECRET, apiBase }, store: createMemoryTokenStore(), fetchTimeoutMs: 40 }).get(Date.now() + 5000);

  it("takes a token that arrived while the loop was blocked past the deadline", async () => {
    const { server, apiBase } = await stableTokenServer(undefined);
    try {
      await expect(fetchOnce(apiBase)).resolves.toEqual({ token: "ACCESS_TOKEN", fetched: true });
    } finally {
      server.close();
    }
  });

  it("still times out when WeChat answers late", async () => {
    const { server, apiBase } = await stableTokenServer(400);
    try {
      await expect(fetchOnce(apiBase)).rejects.toMatchObject({ reason: "timeout" });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

afterAll(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
