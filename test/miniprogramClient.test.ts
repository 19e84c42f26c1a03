import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueAppToken } from "../lib/auth/appToken";
import { parseTokenKeys } from "../lib/auth/tokenKeys";
import { MiniaskError, createMiniaskClient } from "../miniprogram/src/miniask";
import { buildMiniprogram } from "../scripts/buildMiniprogram";
import { type FakeWechat, startFakeWechat } from "./support/fakeWechat";
import { ARTICLE_TEXT, type Harness, startHarness } from "./support/harness";
import { wxStandIn } from "./support/wxStandIn";

describe("miniprogram client module against the real server", () => {
  let wechat: FakeWechat;
  let h: Harness;
  beforeAll(async () => {
    wechat = await startFakeWechat();
    h = await startHarness({ env: "staging", processEnv: { WECHAT_API_BASE: wechat.url } });
  });
  afterAll(async () => {
    await h.close();
    await wechat.close();
  });

  it("logs in with wx.login on first use, then reuses the token", async () => {
    const wx = wxStandIn();
    const client = createMiniaskClient({ baseUrl: h.url, wx });
    const first = await client.ask<string>("summarize", { text: ARTICLE_TEXT, maxBullets: 3 });
    expect(first.answer.split("\n").length).toBeLessThanOrEqual(3);
    expect(first.profile).toBe("summarize_v1");
    await client.ask("support", { question: "Where can I see my invoices?" });
    expect(wx.loginCalls).toBe(1);
    expect(client.userId()).toMatch(/^u_/);
    expect(wx.storage.get("miniask.session")).toMatchObject({ userId: client.userId() });
  });

  it("logs in once when several calls start together", async () => {
    const wx = wxStandIn();
    const client = createMiniaskClient({ baseUrl: h.url, wx });
    await Promise.all([1, 2, 3].map(() => client.ask("support", { question: "How do I change my delivery address?" })));
    expect(wx.loginCalls).toBe(1);
  });

  it("sends a traceId that reaches the server's log line", async () => {
    const client = createMiniaskClient({ baseUrl: h.url, wx: wxStandIn() });
    const result = await client.ask("summarize", { text: ARTICLE_TEXT }, { traceId: "client-trace-1" });
    expect(result.traceId).toBe("client-trace-1");
    expect(h.logRecords().some((r) => r.traceId === "client-trace-1" && r.status === 200)).toBe(true);
  });

  it("refreshes the token before it expires", async () => {
    let clock = Date.now();
    const wx = wxStandIn();
    const client = createMiniaskClient({ baseUrl: h.url, wx, now: () => clock, refreshMarginSeconds: 60 });
    await client.ask("support", { question: "Can I pay with a company card?" });
    // staging tokens live 60 minutes; 59.5 minutes later the margin is crossed.
    clock += 59.5 * 60 * 1000;
    await client.ask("support", { question: "Can I pay with a company card?" });
    expect(wx.loginCalls).toBe(2);
  });

  it("logs in again once on a 401, and succeeds", async () => {
    const wx = wxStandIn();
    const stale = await issueAppToken(parseTokenKeys("retired:a-retired-key-of-at-least-32-bytes-zz", "staging"), "staging", "u_x", 3600);
    wx.storage.set("miniask.session", { token: stale.token, userId: "u_x", expiresAt: stale.expiresAt });
    const client = createMiniaskClient({ baseUrl: h.url, wx });
    const result = await client.ask("support", { question: "Is there a student discount?" });
    expect(result.intent).toBe("support");
    expect(wx.loginCalls).toBe(1);
    expect(wx.requests.filter((r) => r.url.endsWith("/v1/mini/ask"))).toHaveLength(2);
  });

  it("gives up after one re-login, with the server's code and traceId in the error", async () => {
    // The fake WeChat refuses this code, so the re-login itself fails with 401 bad_code.
    const wx = wxStandIn(() => "bad");
    const stale = await issueAppToken(parseTokenKeys("retired:a-retired-key-of-at-least-32-bytes-zz", "staging"), "staging", "u_x", 3600);
    wx.storage.set("miniask.session", { token: stale.token, userId: "u_x", expiresAt: stale.expiresAt });
    const client = createMiniaskClient({ baseUrl: h.url, wx });
    const err = (await client.ask("support", { question: "Hello there friend?" }, { traceId: "t-fail" }).catch((e: unknown) => e)) as MiniaskError;
    expect(err).toBeInstanceOf(MiniaskError);
    expect(err.code).toBe("bad_code");
    expect(err.status).toBe(401);
    expect(wx.loginCalls).toBe(1);
  });

  it("shows the traceId on a server error", async () => {
    const client = createMiniaskClient({ baseUrl: h.url, wx: wxStandIn() });
    const err = (await client.ask("summarize", { text: "x", maxBullets: 99 }, { traceId: "t-400" }).catch((e: unknown) => e)) as MiniaskError;
    expect(err).toMatchObject({ code: "invalid_input", status: 400, traceId: "t-400" });
    expect(err.message).toBe("input.maxBullets: expected a number at most 20 (trace t-400)");
  });

  it("uses one Function URL per intent when given", async () => {
    const wx = wxStandIn();
    const client = createMiniaskClient({ wx, urls: { login: `${h.url}/v1/mini/login`, ask: { support: `${h.url}/v1/mini/ask` } } });
    await client.ask("support", { question: "How long does shipping take?" });
    expect(wx.requests.map((r) => r.url)).toEqual([`${h.url}/v1/mini/login`, `${h.url}/v1/mini/ask`]);
  });

  it("reads the remote flags and lets them pick streaming or not", async () => {
    const wx = wxStandIn();
    const client = createMiniaskClient({ baseUrl: h.url, wx });
    const flags = await client.flags();
    expect(flags).toMatchObject({ env: "staging", configHash: h.built.config.hash, intents: { summarize: { profile: "summarize_v1", arm: "control", features: { streaming: true } }, support: { features: { tools: false } } } });
    await client.flags();
    expect(wx.requests.filter((r) => r.url.endsWith("/v1/mini/flags"))).toHaveLength(1);
    const deltas: string[] = [];
    const streamed = await client.answer<string>("summarize", { text: ARTICLE_TEXT, maxBullets: 2 }, { onDelta: (d) => deltas.push(d) });
    expect(deltas.length).toBeGreaterThan(0);
    expect(streamed.answer.split("\n")).toHaveLength(2);
    expect(wx.requests.at(-1)).toMatchObject({ enableChunked: true });
    await client.answer("summarize", { text: ARTICLE_TEXT, maxBullets: 2 });
    expect(wx.requests.at(-1)?.enableChunked).toBeUndefined();
  });

  it("works compiled to the CommonJS file a Mini Program requires", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "miniask-mp-")), "miniask.js");
    await buildMiniprogram(out);
    const source = readFileSync(out, "utf8");
    expect(source).not.toMatch(/\basync\s+function\b|\bawait\b/);
    const module = { exports: {} as Record<string, unknown> };
    runInNewContext(source, { module, exports: module.exports, Promise, Math, JSON, Date, setTimeout });
    const create = module.exports.createMiniaskClient as typeof createMiniaskClient;
    const client = create({ baseUrl: h.url, wx: wxStandIn() });
    const result = await client.ask<string>("summarize", { text: ARTICLE_TEXT, maxBullets: 2 });
    expect(result.answer.split("\n")).toHaveLength(2);
  });
});
