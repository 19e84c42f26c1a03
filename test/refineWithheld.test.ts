// Refine and the output checks (issue 25, item 7): a fast answer the checks withheld (502) is
// never refined nor served through /refine; a withheld refinement is remembered (one paid model
// call, however often /refine is asked); a job sits in the store under the environment's
// redaction policy. Staging on the real Redis, with the project's fake WeChat.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RawConfigFiles } from "../lib/config/loadConfig";
import { createRedisStore } from "../lib/store/redisStore";
import { storeKeys } from "../lib/store/storeKeys";
import { FAKE_APPID, FAKE_SECRET, type FakeWechat, WECHAT_RISKY_SAMPLES, startFakeWechat } from "./support/fakeWechat";
import { type Harness, realConfigFiles, startHarness } from "./support/harness";
import { stagingWithWechat, wechatLogin } from "./support/wechatStaging";
import { PII } from "./support/pii";

const REDIS = "redis://127.0.0.1:6379";
const RISKY = WECHAT_RISKY_SAMPLES[0];
const TEXT = "Tea is a drink. Coffee is another one. Both are popular in the morning.";

describe("refine and the output checks (staging, Redis)", () => {
  const redis = createRedisStore(REDIS);
  let wechat: FakeWechat;
  const open: Harness[] = [];
  beforeAll(async () => {
    wechat = await startFakeWechat();
  });
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });
  afterAll(async () => {
    await wechat.close();
    await redis.close();
  });

  async function harness(rawFiles: RawConfigFiles, env: "staging" | "dev" = "staging") {
    const prefix = `test:${randomUUID()}:`;
    const h = await startHarness({ env, rawFiles, processEnv: { MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prefix, WECHAT_API_BASE: wechat.url, WECHAT_APPID: FAKE_APPID, WECHAT_SECRET: FAKE_SECRET } });
    open.push(h);
    return { h, prefix };
  }
  const refine = (h: Harness, token: string, traceId: string) =>
    fetch(`${h.url}/v1/mini/refine`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ traceId }) }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, any> }));
  const strongCalls = (h: Harness, traceId: string) => h.upstream.requests.filter((r) => r.traceId === traceId && r.body.model === "deepseek-chat").length;

  it("never keeps a job for a fast answer WeChat withheld: /refine is 404 and the strong model is never called", async () => {
    const { h, prefix } = await harness(stagingWithWechat());
    const user = await wechatLogin(h);
    h.upstream.setModelFault("hunyuan-turbos-latest", { content: `- ${RISKY}\n- Coffee is popular.` });
    const traceId = `t-wd-${randomUUID().slice(0, 8)}`;
    const fast = await h.ask({ intent: "summarize", userId: user.userId, traceId, profile: "summarize_v2", input: { text: TEXT, maxBullets: 2 } }, { token: user.token });
    expect(fast.status).toBe(502);
    expect(fast.json).toMatchObject({ error: { code: "blocked_output" } });
    expect(fast.json.refine).toBeUndefined();
    expect(await redis.get(storeKeys.refine(prefix, `${user.userId}:${traceId}`))).toBeUndefined();
    const res = await refine(h, user.token, traceId);
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("refine_not_found");
    expect(JSON.stringify(res.json)).not.toContain(RISKY);
    expect(strongCalls(h, traceId)).toBe(0);
  });

  it("remembers a refinement WeChat withheld: the same 502 on every /refine, one strong call", async () => {
    const { h } = await harness(stagingWithWechat());
    const user = await wechatLogin(h);
    h.upstream.setModelFault("deepseek-chat", { content: `- ${RISKY}\n- Tea is a drink.` });
    const traceId = `t-wr-${randomUUID().slice(0, 8)}`;
    const fast = await h.ask({ intent: "summarize", userId: user.userId, traceId, profile: "summarize_v2", input: { text: TEXT, maxBullets: 2 } }, { token: user.token });
    expect(fast.status).toBe(200);
    expect(fast.json.refine).toEqual({ id: traceId });
    const replies = [await refine(h, user.token, traceId), await refine(h, user.token, traceId), await refine(h, user.token, traceId)];
    for (const r of replies) {
      expect(r.status).toBe(502);
      expect(r.json.error).toMatchObject({ code: "blocked_output", category: expect.any(String) });
      expect(JSON.stringify(r.json)).not.toContain(RISKY);
    }
    expect(strongCalls(h, traceId)).toBe(1);
  });

  it("remembers a refinement the blocked-output terms withheld (no WeChat): one strong call for three /refine", async () => {
    const { h } = await harness(realConfigFiles());
    h.upstream.setModelFault("deepseek-chat", { content: "- 这里有代开发票的办法\n- Tea is a drink." });
    const traceId = `t-wt-${randomUUID().slice(0, 8)}`;
    const fast = await h.ask({ intent: "summarize", userId: "u_terms", traceId, profile: "summarize_v2", input: { text: TEXT, maxBullets: 2 } });
    expect(fast.status).toBe(200);
    const token = await h.token("u_terms");
    const statuses = [(await refine(h, token, traceId)).status, (await refine(h, token, traceId)).status, (await refine(h, token, traceId)).status];
    expect(statuses).toEqual([502, 502, 502]);
    expect(strongCalls(h, traceId)).toBe(1);
  });

  const PERSONAL = `Call me on ${PII.mobile} or write to ${PII.email}; my ID is ${PII.residentId}. ${TEXT}`;

  it("keeps a staging job redacted: no phone number, e-mail or ID number in the store, and refines from that", async () => {
    const { h, prefix } = await harness(realConfigFiles());
    const traceId = `t-pii-${randomUUID().slice(0, 8)}`;
    const fast = await h.ask({ intent: "summarize", userId: "u_pii", traceId, profile: "summarize_v2", input: { text: PERSONAL, maxBullets: 2 }, context: { [PII.mobile]: PII.email } });
    expect(fast.status).toBe(200);
    const stored = await redis.get(storeKeys.refine(prefix, `u_pii:${traceId}`));
    expect(stored).toContain("Tea is a drink");
    for (const raw of [PII.mobile, PII.email, PII.residentId]) expect(stored).not.toContain(raw);
    const res = await refine(h, await h.token("u_pii"), traceId);
    expect(res.status).toBe(200);
    const strong = h.upstream.requests.find((r) => r.traceId === traceId && r.body.model === "deepseek-chat");
    expect(JSON.stringify(strong?.body)).not.toContain(PII.mobile);
  });

  it("keeps a dev job as sent (dev logs and audits content in full)", async () => {
    const { h, prefix } = await harness(realConfigFiles(), "dev");
    const traceId = `t-piidev-${randomUUID().slice(0, 8)}`;
    const fast = await h.ask({ intent: "summarize", userId: "u_pii", traceId, input: { text: PERSONAL, maxBullets: 2 } });
    expect(fast.status).toBe(200);
    expect(await redis.get(storeKeys.refine(prefix, `u_pii:${traceId}`))).toContain(PII.mobile);
  });
});
