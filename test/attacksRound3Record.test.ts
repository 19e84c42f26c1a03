// Issue 25's findings in the record and refine paths, as rows of an attack table (the style of
// test/attacks.test.ts): each row attacks a real server (staging, real Redis, the project's fake
// WeChat), names the finding, and says what must come back and what must hold afterwards.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisStore } from "../lib/store/redisStore";
import { storeKeys } from "../lib/store/storeKeys";
import { FAKE_APPID, FAKE_SECRET, type FakeWechat, WECHAT_RISKY_SAMPLES, startFakeWechat } from "./support/fakeWechat";
import { type Harness, startHarness } from "./support/harness";
import { stagingWithWechat, wechatLogin } from "./support/wechatStaging";
import { PII } from "./support/pii";

const REDIS = "redis://127.0.0.1:6379";
const RISKY = WECHAT_RISKY_SAMPLES[1];
const TEXT = "Tea is a drink. Coffee is another one. Both are popular in the morning.";

interface Ctx {
  h: Harness;
  prefix: string;
  redis: ReturnType<typeof createRedisStore>;
  user: { token: string; userId: string };
  traceId: string;
  post(path: string, body: unknown, token?: string | null): Promise<{ status: number; json: Record<string, any> }>;
  strongCalls(): number;
}

interface Finding {
  /** Issue 25's item. */
  item: string;
  name: string;
  status: "fixed";
  /** What one model answers during the attack (the local upstream's content for that model). */
  modelSays?: { model: string; content: string };
  /** The attack; its last response is checked against `expect`. */
  attack(ctx: Ctx): Promise<{ status: number; json: Record<string, any> }>;
  expect: { status: number; code?: string };
  /** What must hold once the attack is over. */
  holds(ctx: Ctx): Promise<void>;
}

const askFor = (ctx: Ctx, input: unknown, extra: Record<string, unknown> = {}) =>
  ctx.post("/v1/mini/ask", { intent: "summarize", userId: ctx.user.userId, traceId: ctx.traceId, profile: "summarize_v2", input, ...extra });
const refineOf = (ctx: Ctx) => ctx.post("/v1/mini/refine", { traceId: ctx.traceId });

export const FINDINGS: Finding[] = [
  {
    item: "7",
    name: "refine an answer WeChat withheld (502)",
    status: "fixed",
    modelSays: { model: "hunyuan-turbos-latest", content: `- ${RISKY}\n- Coffee.` },
    async attack(ctx) {
      expect((await askFor(ctx, { text: TEXT, maxBullets: 2 })).status).toBe(502);
      return refineOf(ctx);
    },
    expect: { status: 404, code: "refine_not_found" },
    holds: async (ctx) => expect(ctx.strongCalls()).toBe(0),
  },
  {
    item: "7",
    name: "ask again and again for a refinement WeChat withheld",
    status: "fixed",
    modelSays: { model: "deepseek-chat", content: `- ${RISKY}\n- Tea.` },
    async attack(ctx) {
      expect((await askFor(ctx, { text: TEXT, maxBullets: 2 })).status).toBe(200);
      for (let i = 0; i < 3; i++) await refineOf(ctx);
      return refineOf(ctx);
    },
    expect: { status: 502, code: "blocked_output" },
    // Remembered: one paid strong call for four /refine.
    holds: async (ctx) => expect(ctx.strongCalls()).toBe(1),
  },
  {
    item: "7",
    name: "a refine job carrying a phone number, an e-mail and an ID number",
    status: "fixed",
    attack: (ctx) => askFor(ctx, { text: `Call ${PII.mobile}, mail ${PII.email}, ID ${PII.residentId}. ${TEXT}`, maxBullets: 2 }, { context: { phone: PII.mobile } }),
    expect: { status: 200 },
    async holds(ctx) {
      const job = await ctx.redis.get(storeKeys.refine(ctx.prefix, `${ctx.user.userId}:${ctx.traceId}`));
      expect(job).toContain("Tea is a drink");
      for (const raw of [PII.mobile, PII.email, PII.residentId]) expect(job).not.toContain(raw);
    },
  },
  {
    item: "13",
    name: "an unknown intent from an authenticated caller",
    status: "fixed",
    attack: (ctx) => ctx.post("/v1/mini/ask", { intent: "horoscope", userId: ctx.user.userId, traceId: ctx.traceId, input: { text: "hi" } }),
    expect: { status: 400, code: "unknown_intent" },
    async holds(ctx) {
      const keys = await ctx.redis.keys(storeKeys.auditsOfTrace(ctx.prefix, ctx.traceId), 5);
      expect(keys).toHaveLength(1);
      expect(JSON.parse((await ctx.redis.get(keys[0]!))!)).toMatchObject({ outcome: "unknown_intent", status: 400 });
    },
  },
];

describe("issue 25, record and refine findings (staging, real Redis, fake WeChat)", () => {
  const redis = createRedisStore(REDIS);
  const prefix = `test:${randomUUID()}:`;
  let wechat: FakeWechat;
  let h: Harness;
  beforeAll(async () => {
    wechat = await startFakeWechat();
    h = await startHarness({ env: "staging", rawFiles: stagingWithWechat(), processEnv: { MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prefix, WECHAT_API_BASE: wechat.url, WECHAT_APPID: FAKE_APPID, WECHAT_SECRET: FAKE_SECRET } });
  });
  afterAll(async () => {
    await h.close();
    await wechat.close();
    await redis.close();
  });

  it.each(FINDINGS.map((f) => [`${f.item}: ${f.name} (${f.status})`, f] as const))("%s", async (_name, finding) => {
    // A WeChat login: the token carries the openid WeChat's check needs.
    const user = await wechatLogin(h);
    const traceId = `r3-${randomUUID().slice(0, 12)}`;
    const ctx: Ctx = {
      h,
      prefix,
      redis,
      user,
      traceId,
      post: (path, body) =>
        fetch(`${h.url}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, any> })),
      strongCalls: () => h.upstream.requests.filter((r) => r.traceId === traceId && r.body.model === "deepseek-chat").length,
    };
    if (finding.modelSays) h.upstream.setModelFault(finding.modelSays.model, { content: finding.modelSays.content });
    const res = await finding.attack(ctx).finally(() => finding.modelSays && h.upstream.setModelFault(finding.modelSays.model, undefined));
    expect(res.status, JSON.stringify(res.json).slice(0, 300)).toBe(finding.expect.status);
    if (finding.expect.code) expect(res.json.error.code).toBe(finding.expect.code);
    // Whatever happened: the risky text never reaches the client.
    expect(JSON.stringify(res.json)).not.toContain(RISKY);
    await finding.holds(ctx);
  });
});
