// The fake WeChat answers as WeChat's docs say: these tests pin its behaviour, so the client
// tests that run against it are tests against the documented platform, not against our code.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FAKE_APPID, FAKE_SECRET, type FakeWechat, WECHAT_RISKY_SAMPLES, startFakeWechat } from "./support/fakeWechat";

let wechat: FakeWechat;

const stableToken = async (body: unknown, method = "POST") => {
  const res = await fetch(`${wechat.url}/cgi-bin/stable_token`, { method, headers: { "content-type": "application/json" }, ...(method === "POST" ? { body: JSON.stringify(body) } : {}) });
  return (await res.json()) as Record<string, unknown>;
};
const credentials = { grant_type: "client_credential", appid: FAKE_APPID, secret: FAKE_SECRET };
const secCheck = async (token: string, body: unknown) => {
  const res = await fetch(`${wechat.url}/wxa/msg_sec_check?access_token=${encodeURIComponent(token)}`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });
  return (await res.json()) as Record<string, unknown>;
};

describe("fake stable_token", () => {
  // A fresh fake per test: these tests move its clock.
  beforeEach(async () => {
    wechat = await startFakeWechat({ openids: ["o-visitor"] });
  });
  afterEach(() => wechat.close());

  it("issues a token for 7200 s and returns the same one in normal mode while it has more than 5 minutes left", async () => {
    const first = await stableToken(credentials);
    expect(first).toEqual({ access_token: expect.any(String), expires_in: expect.any(Number) });
    expect(first.expires_in).toBeGreaterThan(7190);
    expect(first.expires_in).toBeLessThanOrEqual(7200);
    wechat.advanceClock(3600_000);
    const again = await stableToken({ ...credentials, force_refresh: false });
    expect(again.access_token).toBe(first.access_token);
    expect(Number(again.expires_in)).toBeLessThanOrEqual(3600);
  });

  it("renews in the token's last 5 minutes and keeps the old one valid until it expires", async () => {
    const old = String((await stableToken(credentials)).access_token);
    wechat.advanceClock(7200_000 - 4 * 60_000);
    const renewed = await stableToken(credentials);
    expect(renewed.access_token).not.toBe(old);
    expect(renewed.expires_in).toBe(7200);
    wechat.visit("o-visitor");
    const body = { version: 2, openid: "o-visitor", scene: 2, content: "你好" };
    expect((await secCheck(old, body)).errcode).toBe(0);
    expect((await secCheck(renewed.access_token as string, body)).errcode).toBe(0);
    wechat.advanceClock(4 * 60_000 + 1000);
    wechat.visit("o-visitor");
    expect((await secCheck(old, body)).errcode).toBe(42001);
  });

  it("force_refresh invalidates earlier tokens, but not twice within 30 s", async () => {
    const before = String((await stableToken(credentials)).access_token);
    const forced = String((await stableToken({ ...credentials, force_refresh: true })).access_token);
    expect(forced).not.toBe(before);
    expect((await secCheck(before, { version: 2, openid: "o-visitor", scene: 2, content: "x" })).errcode).toBe(40001);
    expect((await stableToken({ ...credentials, force_refresh: true })).access_token).toBe(forced);
  });

  it.each([
    [{ ...credentials, grant_type: "authorization_code" }, 40002],
    [{ ...credentials, appid: "wxother" }, 40013],
    [{ ...credentials, secret: "wrong" }, 40125],
    [{ grant_type: "client_credential", secret: FAKE_SECRET }, 41002],
    [{ grant_type: "client_credential", appid: FAKE_APPID }, 41004],
  ])("refuses %j with errcode %i", async (body, errcode) => {
    expect(await stableToken(body)).toMatchObject({ errcode, errmsg: expect.any(String) });
  });

  it("answers -1 while busy and counts every call", async () => {
    const before = wechat.tokenCalls.length;
    wechat.setBusy("stable_token", 1);
    expect(await stableToken(credentials)).toEqual({ errcode: -1, errmsg: "system error" });
    expect((await stableToken(credentials)).access_token).toEqual(expect.any(String));
    expect(wechat.tokenCalls.length - before).toBe(2);
  });
});

describe("fake msg_sec_check", () => {
  let token: string;
  beforeAll(async () => {
    wechat = await startFakeWechat({ openids: ["o-visitor"] });
    token = String((await stableToken(credentials)).access_token);
  });
  afterAll(() => wechat.close());
  const ok = (content: string, extra: Record<string, unknown> = {}) => secCheck(token, { version: 2, openid: "o-visitor", scene: 2, content, ...extra });

  it("passes ordinary text with WeChat's documented shape", async () => {
    expect(await ok("今天天气很好。")).toEqual({
      errcode: 0,
      errmsg: "ok",
      trace_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/),
      result: { suggest: "pass", label: 100 },
      detail: [
        { strategy: "content_model", errcode: 0, suggest: "pass", label: 100, prob: 90 },
        { strategy: "keyword", errcode: 0 },
      ],
    });
  });

  it.each(WECHAT_RISKY_SAMPLES)("flags WeChat's test string %s as risky", async (sample) => {
    expect(await ok(`前文${sample}后文`)).toMatchObject({ errcode: 0, result: { suggest: "risky", label: 21000 } });
  });

  it("follows rules a test sets: model verdicts and custom keywords, worst one wins", async () => {
    wechat.addRule({ term: "cheap pills", label: 10001, suggest: "review" });
    wechat.addRule({ term: "forbidden-word", label: 20006, strategy: "keyword" });
    expect(await ok("buy CHEAP PILLS now")).toMatchObject({ result: { suggest: "review", label: 10001 }, detail: [{ strategy: "content_model", suggest: "review", label: 10001 }, { strategy: "keyword", errcode: 0 }] });
    const both = await ok("cheap pills and forbidden-word");
    expect(both).toMatchObject({ result: { suggest: "risky", label: 20006 } });
    expect((both.detail as unknown[])[1]).toEqual({ strategy: "keyword", errcode: 0, suggest: "risky", label: 20006, prob: 90, keyword: "forbidden-word" });
    wechat.clearRules();
    expect(await ok("cheap pills")).toMatchObject({ result: { suggest: "pass" } });
  });

  it.each([
    ["an unknown token", "nope", { version: 2, openid: "o-visitor", scene: 2, content: "x" }, 40001],
    ["an unknown openid", "", { version: 2, openid: "o-stranger", scene: 2, content: "x" }, 40003],
    ["scene 5", "", { version: 2, openid: "o-visitor", scene: 5, content: "x" }, 40129],
    ["empty content", "", { version: 2, openid: "o-visitor", scene: 2, content: "" }, 44002],
    ["no version", "", { openid: "o-visitor", scene: 2, content: "x" }, 47001],
    ["content over 2,500 characters", "", { version: 2, openid: "o-visitor", scene: 2, content: "字".repeat(2501) }, 47001],
    ["a body that is not JSON", "", "{oops", 47001],
  ])("answers %s with its errcode", async (_, badToken, body, errcode) => {
    const reply = await secCheck(badToken || token, body);
    expect(reply).toEqual({ errcode, errmsg: expect.stringMatching(/ rid: /) });
  });

  it("takes exactly 2,500 characters, counted as code points", async () => {
    expect((await ok("😀".repeat(2500))).errcode).toBe(0);
  });

  it("refuses users who have not visited in two hours (61010), and a login counts as a visit", async () => {
    wechat.visit("o-old", wechat.now() - 2 * 3600_000 - 1000);
    expect((await secCheck(token, { version: 2, openid: "o-old", scene: 2, content: "x" })).errcode).toBe(61010);
    await fetch(`${wechat.url}/sns/jscode2session?appid=${FAKE_APPID}&secret=${FAKE_SECRET}&js_code=ok-o-old&grant_type=authorization_code`);
    expect((await secCheck(token, { version: 2, openid: "o-old", scene: 2, content: "x" })).errcode).toBe(0);
  });

  it("answers -1 while busy, 40001 after expireTokensNow, and records what reached it", async () => {
    wechat.setBusy("msg_sec_check", 1);
    expect(await ok("x")).toEqual({ errcode: -1, errmsg: "system error" });
    wechat.expireTokensNow();
    expect((await ok("x")).errcode).toBe(40001);
    expect(wechat.secCheckCalls.at(-1)).toMatchObject({ accessToken: token, body: { version: 2, openid: "o-visitor", scene: 2, content: "x" }, reply: { errcode: 40001 } });
  });

  it("refuses GET with 43302", async () => {
    const res = await fetch(`${wechat.url}/wxa/msg_sec_check?access_token=${token}`);
    expect(((await res.json()) as { errcode: number }).errcode).toBe(43302);
  });
});
