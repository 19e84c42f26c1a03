import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../lib/config/loadConfig";
import { verifyAppToken } from "../lib/auth/appToken";
import { userIdOf } from "../lib/auth/userIdOf";
import { createProcessApp } from "../lib/runtime/createProcessApp";
import { FAKE_APPID, FAKE_SECRET, type FakeWechat, startFakeWechat } from "./support/fakeWechat";
import { ARTICLE_TEXT, type Harness, TEST_TOKEN_KEYS, TEST_USER_ID_SALT, realConfigFiles, startHarness } from "./support/harness";
import { INTENTS } from "../lib/intents/registry";

describe("POST /v1/mini/login (prod)", () => {
  let wechat: FakeWechat;
  let h: Harness;
  beforeAll(async () => {
    wechat = await startFakeWechat();
    h = await startHarness({ env: "prod", processEnv: { WECHAT_API_BASE: wechat.url } });
  });
  afterAll(async () => {
    await h.close();
    await wechat.close();
  });

  const login = async (code: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${h.url}/v1/mini/login`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ code }) });
    return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
  };

  it("turns a WeChat code into a prod token for a stable userId that is not the openid", async () => {
    const { status, json, headers } = await login("ok-openid-AAA");
    expect(status).toBe(200);
    expect(json).toEqual({ token: expect.any(String), userId: userIdOf(TEST_USER_ID_SALT, FAKE_APPID, "openid-AAA"), expiresAt: expect.any(Number), traceId: expect.any(String) });
    expect(String(json.userId)).not.toContain("openid-AAA");
    expect(JSON.stringify(json)).not.toContain("SESSIONKEY");
    expect(headers.get("cache-control")).toBe("no-store");
    // 15 minutes in prod, from the env policy.
    expect(Number(json.expiresAt) - Math.floor(Date.now() / 1000)).toBeGreaterThan(14 * 60);
    expect(Number(json.expiresAt) - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(15 * 60);
    expect((await verifyAppToken(h.built.tokenKeys, "prod", String(json.token))).sub).toBe(json.userId);
    expect(wechat.calls.at(-1)).toEqual({ code: "ok-openid-AAA", appid: FAKE_APPID, secret: FAKE_SECRET });

    const again = await login("ok-openid-AAA");
    expect(again.json.userId).toBe(json.userId);
    const other = await login("ok-openid-BBB");
    expect(other.json.userId).not.toBe(json.userId);
  });

  it("lets the token it issues call /v1/mini/ask", async () => {
    const { json } = await login("ok-openid-CCC");
    const res = await h.ask({ intent: "summarize", userId: json.userId, input: { text: ARTICLE_TEXT } }, { token: String(json.token) });
    expect(res.status).toBe(200);
  });

  it.each([
    ["bad", 401, "bad_code"],
    ["used", 401, "bad_code"],
    ["limited", 429, "login_rate_limited"],
    ["blocked", 403, "user_blocked"],
    ["odd", 502, "wechat_error"],
  ])("maps WeChat's %s reply to %i %s", async (code, status, errorCode) => {
    const res = await login(code);
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ error: { code: errorCode, message: expect.any(String) }, traceId: expect.any(String) });
    expect(JSON.stringify(res.json)).not.toContain(FAKE_SECRET);
    if (status === 429) expect(res.headers.get("retry-after")).toBe("60");
  });

  it("retries once when WeChat is busy (-1)", async () => {
    const before = wechat.calls.length;
    const res = await login("busy-once-openid-DDD");
    expect(res.status).toBe(200);
    expect(wechat.calls.length - before).toBe(2);
  });

  it("answers 503 after the one retry when WeChat stays busy", async () => {
    const before = wechat.calls.length;
    const res = await login("busy");
    expect(res.status).toBe(503);
    expect((res.json.error as { code: string }).code).toBe("wechat_unavailable");
    expect(wechat.calls.length - before).toBe(2);
  });

  it("answers 503 when WeChat cannot be reached", async () => {
    const dead = await startHarness({ env: "prod", processEnv: { WECHAT_API_BASE: "http://127.0.0.1:1" } });
    try {
      const res = await fetch(`${dead.url}/v1/mini/login`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"code":"ok-x"}' });
      expect(res.status).toBe(503);
    } finally {
      await dead.close();
    }
  });

  it("refuses a body without a code", async () => {
    const res = await login(undefined);
    expect(res.status).toBe(400);
    expect((res.json.error as { message: string }).message).toBe("code: required string, missing");
  });

  it("never logs the openid or the session key", () => {
    const logs = h.logs.join("\n");
    expect(logs).not.toContain("openid-AAA");
    expect(logs).not.toContain("SESSIONKEY");
    expect(h.logRecords().filter((r) => r.msg === "login").length).toBeGreaterThan(5);
  });
});

describe("login configuration", () => {
  it("stops prod from starting without WECHAT_APPID, WECHAT_SECRET and MINIASK_USER_ID_SALT", () => {
    expect(() =>
      createProcessApp({ processEnv: { MINIASK_ENV: "prod", MINIASK_TOKEN_KEYS: TEST_TOKEN_KEYS, MINIASK_UPSTREAM_URL: "http://127.0.0.1:1/v1" }, config: loadConfig(realConfigFiles()), intents: INTENTS, serveLogin: true }),
    ).toThrow("environment variable WECHAT_APPID: required in prod to serve POST /v1/mini/login");
  });

  it("in dev without WeChat, answers 503 login_not_configured", async () => {
    const h = await startHarness({ env: "dev" });
    try {
      const res = await fetch(`${h.url}/v1/mini/login`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"code":"abc"}' });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("login_not_configured");
    } finally {
      await h.close();
    }
  });
});
