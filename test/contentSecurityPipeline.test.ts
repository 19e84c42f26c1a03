// WeChat's content check in the request path, against a fake WeChat that answers like the real
// one (pass / review / risky per label, -1 busy, 40001 then a refresh, 40003): risky input never
// reaches a provider, risky output never reaches the client or the cache, a stream stops with
// an error event before the risky sentence, and instances share one access_token.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RawConfigFiles } from "../lib/config/loadConfig";
import { FAKE_APPID, FAKE_SECRET, type FakeWechat, WECHAT_RISKY_SAMPLES, startFakeWechat } from "./support/fakeWechat";
import { type Harness, shippedConfigFiles, startHarness } from "./support/harness";

type Json = Record<string, any>;
const REDIS = "redis://127.0.0.1:6379";
const RISKY = WECHAT_RISKY_SAMPLES[0];

function files(policy: Json = {}): RawConfigFiles {
  const f = structuredClone(shippedConfigFiles()) as RawConfigFiles & { envPolicy: Json };
  const staging = f.envPolicy.environments.staging;
  staging.content_security = { ...staging.content_security, on_unavailable: "closed", every_chars: 40, ...policy };
  staging.limits = { ...staging.limits, per_user_intent: { requests: 1000, window_seconds: 60 }, per_user: { requests: 1000, window_seconds: 60 } };
  return f;
}

describe("content security in the request path (staging, Redis, fake WeChat)", () => {
  let wechat: FakeWechat;
  const redis = new Redis(REDIS);
  const open: Harness[] = [];
  beforeAll(async () => {
    wechat = await startFakeWechat();
  });
  afterEach(async () => {
    wechat.clearRules();
    for (const h of open.splice(0)) await h.close();
  });
  afterAll(async () => {
    await wechat.close();
    redis.disconnect();
  });

  async function harness(options: { policy?: Json; prefix?: string; upstream?: Harness["upstream"] } = {}) {
    const h = await startHarness({
      env: "staging",
      rawFiles: files(options.policy),
      ...(options.upstream ? { upstream: options.upstream } : {}),
      processEnv: { MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: options.prefix ?? `test:${randomUUID()}:`, WECHAT_API_BASE: wechat.url, WECHAT_APPID: FAKE_APPID, WECHAT_SECRET: FAKE_SECRET },
    });
    open.push(h);
    return h;
  }
  /** A real WeChat login: the token carries the openid, sealed. */
  async function login(h: Harness, openid = `o-${randomUUID().slice(0, 8)}`) {
    const res = await fetch(`${h.url}/v1/mini/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code: `ok-${openid}` }) });
    const json = (await res.json()) as { token: string; userId: string };
    return { ...json, openid };
  }
  const ask = (h: Harness, user: { token: string; userId: string }, input: Json, extra: Json = {}) => h.ask({ intent: "summarize", userId: user.userId, traceId: `cs-${randomUUID().slice(0, 8)}`, input, ...extra }, { token: user.token });

  it("passes clean input and output, with WeChat's time in the log line and no openid anywhere", async () => {
    const h = await harness();
    const user = await login(h);
    const res = await ask(h, user, { text: "Tea is a drink. Coffee is another one. Both are popular." });
    expect(res.status).toBe(200);
    expect(wechat.secCheckCalls.filter((c) => JSON.stringify(c.body).includes(user.openid)).length).toBeGreaterThanOrEqual(2);
    const line = h.logRecords().find((r) => r.msg === "request" && r.traceId === res.json.traceId) as { timings: Record<string, number> };
    expect(line.timings).toMatchObject({ contentInput: expect.any(Number), contentOutput: expect.any(Number) });
    expect(h.logs.join("\n")).not.toContain(user.openid);
    expect(JSON.stringify(res.json)).not.toContain(user.openid);
    expect(user.token).not.toContain(user.openid);
    const keys = await redis.keys(`${h.built.settings.MINIASK_STORE_PREFIX}audit:v1:*`);
    for (const key of keys) expect(await redis.get(key)).not.toContain(user.openid);
  });

  it("refuses risky input with 422 blocked_input and its category, without calling a provider or echoing it", async () => {
    const h = await harness();
    const user = await login(h);
    const before = h.upstream.requests.length;
    const res = await ask(h, user, { text: `Please summarize this: ${RISKY}` });
    expect(res.status).toBe(422);
    expect(res.json.error).toMatchObject({ code: "blocked_input", category: expect.any(String) });
    expect(JSON.stringify(res.json)).not.toContain(RISKY);
    expect(h.upstream.requests.length).toBe(before);
  });

  it("withholds risky output (502 blocked_output): never sent, never cached", async () => {
    const h = await harness();
    const user = await login(h);
    h.upstream.setDefault({ content: `Here is the summary. ${RISKY}` });
    try {
      const question = { intent: "support", userId: user.userId, input: { question: `How do I get a refund? ${randomUUID()}` } };
      const first = await h.ask(question, { token: user.token });
      expect(first.status).toBe(502);
      expect(first.json.error).toMatchObject({ code: "blocked_output" });
      expect(JSON.stringify(first.json)).not.toContain(RISKY);
      // Not cached: the same question calls the model again.
      const before = h.upstream.requests.length;
      const second = await h.ask(question, { token: user.token });
      expect(second.status).toBe(502);
      expect(h.upstream.requests.length).toBe(before + 1);
    } finally {
      h.upstream.setDefault({});
    }
  });

  it("stops a stream with an error event before the risky sentence", async () => {
    const h = await harness();
    const user = await login(h);
    h.upstream.enqueue({ content: `The first sentence is fine and long enough to pass. The second one is fine as well, it says nothing. ${RISKY}. The end.` });
    const res = await fetch(`${h.url}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user.token}`, accept: "text/event-stream" },
      body: JSON.stringify({ intent: "summarize", userId: user.userId, input: { text: "Anything at all. It does not matter." }, profile: "summarize_v1" }),
    });
    const text = await res.text();
    expect(text).toContain("event: delta");
    expect(text).toContain("The first sentence is fine");
    expect(text).toContain("event: error");
    expect(text).toContain('"code":"blocked_output"');
    expect(text).not.toContain(RISKY.slice(0, 6));
    expect(text).not.toContain("event: done");
  });

  it("follows on_unavailable when WeChat is busy: closed -> 503, open -> answered", async () => {
    const closed = await harness();
    const user = await login(closed);
    wechat.setBusy("msg_sec_check", 4);
    const refused = await ask(closed, user, { text: "Busy WeChat. A second sentence." });
    expect(refused.status).toBe(503);
    expect(refused.json.error).toMatchObject({ code: "content_check_unavailable" });
    const openH = await harness({ policy: { on_unavailable: "open" }, upstream: closed.upstream });
    const other = await login(openH);
    wechat.setBusy("msg_sec_check", 4);
    expect((await ask(openH, other, { text: "Busy WeChat again. A second sentence." })).status).toBe(200);
  });

  it("refreshes the access_token once on 40001 and goes on", async () => {
    const h = await harness();
    const user = await login(h);
    expect((await ask(h, user, { text: "Warm the token. Second sentence." })).status).toBe(200);
    const fetches = wechat.tokenCalls.length;
    wechat.expireTokensNow();
    expect((await ask(h, user, { text: "After expiry. Second sentence." })).status).toBe(200);
    expect(wechat.tokenCalls.length).toBe(fetches + 1);
  });

  it("treats an openid WeChat does not know (40003) as unavailable: the policy decides", async () => {
    const h = await harness();
    const user = await login(h);
    // The user's visit is forgotten: WeChat answers 40003 / 61010 for them now.
    wechat.advanceClock(3 * 3600_000);
    const res = await ask(h, user, { text: "Who am I? Second sentence." });
    expect(res.status).toBe(503);
    expect(res.json.error).toMatchObject({ code: "content_check_unavailable" });
  });

  it("a token without an openid (npm run token) is unavailable too: refused when closed", async () => {
    const h = await harness();
    const res = await h.ask({ intent: "summarize", userId: "u_no_openid", input: { text: "No openid. Second sentence." } });
    expect(res.status).toBe(503);
    expect(wechat.secCheckCalls.every((c) => !JSON.stringify(c.body).includes("u_no_openid"))).toBe(true);
  });

  it("two processes share one access_token fetch through the store", async () => {
    const prefix = `test:${randomUUID()}:`;
    const one = await harness({ prefix });
    const two = await harness({ prefix, upstream: one.upstream });
    const a = await login(one);
    const b = await login(two);
    const before = wechat.tokenCalls.length;
    await Promise.all([ask(one, a, { text: "Process one. Second sentence." }), ask(two, b, { text: "Process two. Second sentence." })]);
    expect(wechat.tokenCalls.length - before).toBe(1);
  });
});
