// checkText against the fake WeChat: verdicts per label, long texts in parts, and every way
// the check can fail coming back as a typed `unavailable` result, never a throw.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AccessTokenSource, createAccessTokenSource } from "../lib/contentSecurity/accessToken";
import { CATEGORY_BY_LABEL } from "../lib/contentSecurity/labels";
import { type ContentChecker, type ContentCheckerOptions, createContentChecker } from "../lib/contentSecurity/msgSecCheck";
import { createMemoryTokenStore } from "./support/csStore";
import { FAKE_APPID, FAKE_SECRET, type FakeWechat, WECHAT_RISKY_SAMPLES, startFakeWechat } from "./support/fakeWechat";

const OPENID = "o-user-with-recent-visit";
let wechat: FakeWechat;
let tokens: AccessTokenSource;
let checker: ContentChecker;

const makeChecker = (extra: Partial<ContentCheckerOptions> = {}) => createContentChecker({ apiBase: wechat.url, accessTokens: tokens, ...extra });
beforeEach(async () => {
  wechat = await startFakeWechat({ openids: [OPENID] });
  tokens = createAccessTokenSource({ credentials: { appId: FAKE_APPID, secret: FAKE_SECRET, apiBase: wechat.url }, store: createMemoryTokenStore() });
  checker = makeChecker();
});
afterEach(() => wechat.close());

const soon = () => Date.now() + 5000;
const check = (content: string, scene: 1 | 2 | 3 | 4 = 2) => checker.checkText({ openid: OPENID, scene, content }, soon());

describe("checkText verdicts", () => {
  it("passes ordinary text, with WeChat's trace_id and how long WeChat took", async () => {
    const outcome = await check("请帮我总结这篇文章。");
    expect(outcome).toEqual({ verdict: "pass", label: 100, category: "normal", parts: 1, traceIds: [expect.stringMatching(/^[0-9a-f-]{26}$/)], timings: { tokenMs: expect.any(Number), wechatMs: expect.any(Number) } });
    // What reached WeChat: the documented v2 body, the token in the query string only.
    const call = wechat.secCheckCalls.at(-1);
    expect(call?.body).toEqual({ version: 2, openid: OPENID, scene: 2, content: "请帮我总结这篇文章。" });
    expect(call?.accessToken).toEqual(expect.stringMatching(/^FAKE_ACCESS_TOKEN_/));
  });

  it.each(WECHAT_RISKY_SAMPLES)("flags WeChat's documented test string %s as risky", async (sample) => {
    expect(await check(sample)).toMatchObject({ verdict: "risky", label: 21000, category: "other" });
  });

  it.each(Object.entries(CATEGORY_BY_LABEL).filter(([label]) => label !== "100"))("names label %s %s", async (label, category) => {
    wechat.addRule({ term: `term-${label}`, label: Number(label) });
    expect(await check(`some text with term-${label} in it`)).toMatchObject({ verdict: "risky", label: Number(label), category });
  });

  it("returns review when WeChat suggests review", async () => {
    wechat.addRule({ term: "borderline", label: 20012, suggest: "review" });
    expect(await check("a borderline joke")).toMatchObject({ verdict: "review", label: 20012, category: "vulgar" });
  });

  it("reads a custom keyword hit", async () => {
    wechat.addRule({ term: "竞品名", label: 10001, strategy: "keyword" });
    expect(await check("推荐竞品名给我")).toMatchObject({ verdict: "risky", label: 10001, category: "ad" });
  });

  it("passes blank text without asking WeChat", async () => {
    expect(await check("  \n ")).toMatchObject({ verdict: "pass", parts: 0 });
    expect(wechat.secCheckCalls).toHaveLength(0);
  });
});

describe("long texts", () => {
  const sentence = `${"这是一个普通的句子".repeat(11)}。`; // 100 characters
  it("go in parts of at most 2,500 characters, cut at sentence ends; the worst part decides", async () => {
    const text = sentence.repeat(60) + WECHAT_RISKY_SAMPLES[0] + "。" + sentence.repeat(5);
    const outcome = await check(text);
    expect(outcome).toMatchObject({ verdict: "risky", label: 21000, parts: 3 });
    const sent = wechat.secCheckCalls.map((c) => (c.body as { content: string }).content);
    expect(sent).toHaveLength(3);
    for (const part of sent) expect(part.length).toBeLessThanOrEqual(2500);
    expect([...sent].sort((a, b) => text.indexOf(a) - text.indexOf(b)).join("")).toBe(text);
    expect(sent.filter((p) => p.includes(WECHAT_RISKY_SAMPLES[0]))).toHaveLength(1);
    if (outcome.verdict !== "unavailable") expect(outcome.traceIds).toHaveLength(3);
  });

  it("are checked in parallel, a bounded number at a time, with one token fetch", async () => {
    wechat.setLatency("msg_sec_check", 50);
    const outcome = await makeChecker({ concurrency: 2 }).checkText({ openid: OPENID, scene: 2, content: sentence.repeat(150) }, soon());
    expect(outcome).toMatchObject({ verdict: "pass", parts: 6 });
    expect(wechat.peakInFlight.msg_sec_check).toBe(2);
    expect(wechat.tokenCalls).toHaveLength(1);
  });

  it("a risky part wins over a part WeChat could not check", async () => {
    wechat.setBusy("msg_sec_check", 1);
    const outcome = await makeChecker({ concurrency: 1, retryBusy: false }).checkText({ openid: OPENID, scene: 2, content: sentence.repeat(25) + WECHAT_RISKY_SAMPLES[1] }, soon());
    expect(outcome).toMatchObject({ verdict: "risky" });
  });

  it("an unchecked part wins over passing ones", async () => {
    wechat.setBusy("msg_sec_check", 1);
    const outcome = await makeChecker({ concurrency: 1, retryBusy: false }).checkText({ openid: OPENID, scene: 2, content: sentence.repeat(50) }, soon());
    expect(outcome).toMatchObject({ verdict: "unavailable", reason: "busy", errcode: -1 });
  });
});

describe("when WeChat cannot say", () => {
  it("retries once after -1 and passes", async () => {
    wechat.setBusy("msg_sec_check", 1);
    expect(await check("hello")).toMatchObject({ verdict: "pass" });
    expect(wechat.secCheckCalls.map((c) => c.reply.errcode)).toEqual([-1, 0]);
  });

  it("reports busy after -1 twice", async () => {
    wechat.setBusy("msg_sec_check", Infinity);
    expect(await check("hello")).toEqual({ verdict: "unavailable", reason: "busy", errcode: -1, timings: expect.any(Object) });
    expect(wechat.secCheckCalls).toHaveLength(2);
  });

  it("refreshes the token once after 40001 and then succeeds", async () => {
    await check("warm the token");
    wechat.expireTokensNow();
    expect(await check("hello again")).toMatchObject({ verdict: "pass" });
    const [, refused, retried] = wechat.secCheckCalls;
    expect(refused?.reply.errcode).toBe(40001);
    expect(retried?.reply.errcode).toBe(0);
    expect(retried?.accessToken).not.toBe(refused?.accessToken);
    expect(wechat.tokenCalls).toHaveLength(2);
  });

  it("parts refused together share one refresh", async () => {
    await check("warm the token");
    wechat.expireTokensNow();
    const text = `${"这是一个普通的句子".repeat(11)}。`.repeat(70);
    expect(await check(text)).toMatchObject({ verdict: "pass", parts: 3 });
    expect(wechat.secCheckCalls.map((c) => c.reply.errcode).sort()).toEqual([0, 0, 0, 0, 40001, 40001, 40001]);
    expect(wechat.tokenCalls).toHaveLength(2);
  });

  it("refreshes after 42001 (expired) too", async () => {
    await check("warm the token");
    wechat.advanceClock(7300_000);
    wechat.visit(OPENID);
    // The source's own clock has not moved: it still holds the old token, WeChat says expired.
    expect(await check("later")).toMatchObject({ verdict: "pass" });
    expect(wechat.secCheckCalls.map((c) => c.reply.errcode)).toEqual([0, 42001, 0]);
  });

  it("gives up after one refresh when WeChat keeps refusing the token", async () => {
    let n = 0;
    const refusedTokens: AccessTokenSource = { get: async () => ({ token: `never-issued-${n++}`, fetched: true }), replace: async () => ({ token: `never-issued-${n++}`, fetched: true }) };
    const outcome = await makeChecker({ accessTokens: refusedTokens }).checkText({ openid: OPENID, scene: 2, content: "x" }, soon());
    expect(outcome).toMatchObject({ verdict: "unavailable", reason: "bad_access_token", errcode: 40001 });
    expect(wechat.secCheckCalls).toHaveLength(2);
  });

  it.each([
    ["an openid WeChat does not know", "o-stranger", "bad_openid", 40003],
    ["an empty openid", "", "no_openid", undefined],
  ])("reports %s", async (_, openid, reason, errcode) => {
    const outcome = await checker.checkText({ openid, scene: 2, content: "x" }, soon());
    expect(outcome).toMatchObject({ verdict: "unavailable", reason });
    if (outcome.verdict === "unavailable") expect(outcome.errcode).toBe(errcode);
  });

  it("reports a user who has not visited for two hours (61010)", async () => {
    wechat.visit("o-away", wechat.now() - 3 * 3600_000);
    expect(await checker.checkText({ openid: "o-away", scene: 2, content: "x" }, soon())).toMatchObject({ verdict: "unavailable", reason: "openid_expired", errcode: 61010 });
  });

  it("reports a request WeChat refuses (40129 for a scene out of range) as rejected", async () => {
    expect(await checker.checkText({ openid: OPENID, scene: 5 as 1, content: "x" }, soon())).toMatchObject({ verdict: "unavailable", reason: "rejected", errcode: 40129 });
  });

  it("stops at the deadline", async () => {
    wechat.setLatency("msg_sec_check", 1000);
    await tokens.get(soon());
    expect(await checker.checkText({ openid: OPENID, scene: 2, content: "x" }, Date.now() + 100)).toMatchObject({ verdict: "unavailable", reason: "timeout" });
  });

  it("reports an unreachable WeChat and a missing token", async () => {
    const gone = createContentChecker({ apiBase: "http://127.0.0.1:9", accessTokens: tokens });
    await tokens.get(soon());
    expect(await gone.checkText({ openid: OPENID, scene: 2, content: "x" }, soon())).toMatchObject({ verdict: "unavailable", reason: "network" });
    const noToken = createAccessTokenSource({ credentials: { appId: FAKE_APPID, secret: "wrong", apiBase: wechat.url }, store: createMemoryTokenStore() });
    expect(await makeChecker({ accessTokens: noToken }).checkText({ openid: OPENID, scene: 2, content: "x" }, soon())).toMatchObject({ verdict: "unavailable", reason: "no_access_token" });
  });
});
