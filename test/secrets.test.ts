// Provider keys, the WeChat secret, token keys and the userId salt come from environment
// variables only, and no response body, header or log line ever carries one of them.
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RawConfigFiles } from "../lib/config/loadConfig";
import { startLocalUpstream, type LocalUpstream } from "../scripts/local-upstream/server";
import { FAKE_SECRET, type FakeWechat, startFakeWechat } from "./support/fakeWechat";
import { ARTICLE_TEXT, type Harness, TEST_TOKEN_KEYS, TEST_USER_ID_SALT, realConfigFiles, startHarness } from "./support/harness";

const PROVIDER_KEYS = { HUNYUAN_API_KEY: "sk-hunyuan-SECRET-111111111111", DEEPSEEK_API_KEY: "sk-deepseek-SECRET-22222222222", DASHSCOPE_API_KEY: "sk-qwen-SECRET-333333333333333" };
const TOKEN_SECRETS = TEST_TOKEN_KEYS.split(",").map((entry) => entry.split(":")[1]!);
const SECRETS = [...Object.values(PROVIDER_KEYS), FAKE_SECRET, ...TOKEN_SECRETS, TEST_USER_ID_SALT];

describe("secrets never leave the backend", () => {
  let upstream: LocalUpstream;
  let wechat: FakeWechat;
  let h: Harness;
  const seen: string[] = [];

  beforeAll(async () => {
    upstream = await startLocalUpstream();
    wechat = await startFakeWechat();
    const files = structuredClone(realConfigFiles()) as RawConfigFiles & { models: { providers: Record<string, { base_url: string }> } };
    for (const provider of Object.values(files.models.providers)) provider.base_url = upstream.url;
    h = await startHarness({ env: "staging", rawFiles: files, upstream, providersFromConfig: true, processEnv: { ...PROVIDER_KEYS, WECHAT_API_BASE: wechat.url } });
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
    await wechat.close();
  });

  const record = async (res: Response) => {
    seen.push(`${res.status} ${JSON.stringify([...res.headers.entries()])} ${await res.text()}`);
    return res.status;
  };
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${h.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body }).then(record);
  const ask = async (body: Record<string, unknown>, token: string | null) =>
    post("/v1/mini/ask", JSON.stringify(body), token === null ? {} : { authorization: `Bearer ${token}` });

  it("drives every path and finds no secret in any response or log line", async () => {
    const body = { intent: "summarize", userId: "u_1", input: { text: ARTICLE_TEXT } };
    const token = await h.token("u_1");
    const statuses: number[] = [];

    statuses.push(await ask(body, token)); // success, through the real provider keys
    expect(upstream.requests.at(-1)?.authorization).toBe(`Bearer ${PROVIDER_KEYS.HUNYUAN_API_KEY}`);
    upstream.enqueue({ status: 500 });
    statuses.push(await ask(body, token)); // fallback to qwen
    expect(upstream.requests.at(-1)?.authorization).toBe(`Bearer ${PROVIDER_KEYS.DASHSCOPE_API_KEY}`);
    upstream.setDefault({ status: 500 });
    statuses.push(await ask(body, token)); // 503 model_unavailable, after two rounds
    upstream.setDefault({});
    upstream.enqueue({ status: 401 });
    statuses.push(await ask(body, token)); // 502 model_rejected (a provider refusing our key)
    upstream.setDefault({ malformed: true });
    statuses.push(await ask(body, token));
    upstream.setDefault({});
    statuses.push(await ask(body, null)); // 401 missing
    statuses.push(await ask(body, "x.y.z")); // 401 malformed
    statuses.push(await ask(body, await h.token("u_2"))); // 403 mismatch
    const forged = await new SignJWT({}).setProtectedHeader({ alg: "HS256", kid: "k2026" }).setSubject("u_1").setAudience("staging").setIssuedAt().setExpirationTime("1m").sign(new TextEncoder().encode("x".repeat(40)));
    statuses.push(await ask(body, forged)); // 401 bad signature
    statuses.push(await ask({ ...body, profile: "extract_v1" }, token)); // 403 profile
    statuses.push(await post("/v1/mini/ask", "{oops", { authorization: `Bearer ${token}` })); // 400
    for (const code of ["ok-openid-1", "bad", "limited", "blocked", "busy", "odd"]) statuses.push(await post("/v1/mini/login", JSON.stringify({ code })));
    statuses.push(await record(await fetch(`${h.url}/healthz`)));

    expect(statuses).toEqual([200, 200, 503, 502, 503, 401, 401, 403, 401, 403, 400, 200, 401, 429, 403, 503, 502, 200]);
    const everything = [...seen, ...h.logs].join("\n");
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
    expect(h.logs.length).toBeGreaterThanOrEqual(17);
  });

  it("keeps keys out of the config files themselves", async () => {
    const { readFileSync, readdirSync } = await import("node:fs");
    for (const file of readdirSync(new URL("../profiles", import.meta.url)).filter((f) => f.endsWith(".yaml"))) {
      const text = readFileSync(new URL(`../profiles/${file}`, import.meta.url), "utf8");
      expect(text).not.toMatch(/\bsk-[A-Za-z0-9]{8,}/);
      expect(text).not.toMatch(/^\s*(api_key|key|secret|token)\s*:/m);
    }
  });
});
