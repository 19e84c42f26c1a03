// POST /v1/mini/refine through the budget gate, as /ask (dev: summarize_v2 answers fast, then
// refines with the strong alias): today's spend read at admission, the strong call's most held
// until the refinement is recorded. Real HTTP, real Redis, the local upstream.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { spendKeys, spendOfReply } from "../lib/cost/budgetStorePlan";
import { ARTICLE_TEXT, type Harness, startHarness } from "./support/harness";
import { filesWithBudget } from "./support/policyFiles";

type Json = Record<string, any>;
const REDIS = "redis://127.0.0.1:6379";
const redis = new Redis(REDIS);


describe("/refine and the money budgets (dev, Redis)", () => {
  const open: Harness[] = [];
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });
  afterAll(() => redis.disconnect());
  const start = async (budget: Json) => {
    const prefix = `test:budgetRefine:${randomUUID()}:`;
    const h = await startHarness({ env: "dev", rawFiles: filesWithBudget("dev", budget), processEnv: { MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prefix } });
    open.push(h);
    return { h, prefix };
  };
  const fast = (h: Harness, userId: string, traceId: string) => h.ask({ intent: "summarize", userId, traceId, input: { text: `${ARTICLE_TEXT} ${traceId}`, maxBullets: 2 } });
  const refine = async (h: Harness, userId: string, traceId: string) => {
    const res = await fetch(`${h.url}/v1/mini/refine`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${await h.token(userId)}` }, body: JSON.stringify({ traceId }) });
    return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
  };
  const strongCalls = (h: Harness) => h.upstream.requests.filter((r) => r.body.model === "deepseek-chat").length;

  it.each(["refuse", "degrade"] as const)("under %s, a user past their budget gets 429 budget_exceeded from /refine and no strong call", async (policy) => {
    const { h, prefix } = await start({ per_user: { daily_cny: 0.003, policy } });
    const user = `u_${policy}`;
    const drafts = ["t-br-1", "t-br-2"];
    for (const t of drafts) expect((await fast(h, user, t)).json).toMatchObject({ refine: { id: t } });
    // The day's spend passes the user's budget (3,000 micro-yuan) after the fast answers.
    await redis.incrby(spendKeys.user(prefix, user, Date.now()), 3_000);
    const before = strongCalls(h);
    for (const t of drafts) {
      const res = await refine(h, user, t);
      expect(res.status).toBe(429);
      expect(res.json.error).toMatchObject({ code: "budget_exceeded" });
      const now = new Date(Date.now() + 8 * 3600_000);
      const toMidnight = 86_400 - (now.getUTCHours() * 3600 + now.getUTCMinutes() * 60 + now.getUTCSeconds());
      expect(Math.abs(Number(res.headers.get("retry-after")) - toMidnight)).toBeLessThanOrEqual(2);
    }
    expect(strongCalls(h)).toBe(before);
    // The refused calls held nothing past their refusal.
    expect(spendOfReply((await redis.get(spendKeys.userHeld(prefix, user, Date.now()))) ?? undefined)).toBe(0);
  });

  it("under the budget, /refine is charged its strong call and gives back what it held; a kept refinement is served past the budget", async () => {
    const { h, prefix } = await start({ per_user: { daily_cny: 1, policy: "refuse" } });
    const user = "u_under";
    await fast(h, user, "t-br-ok");
    const spentBefore = spendOfReply((await redis.get(spendKeys.user(prefix, user, Date.now()))) ?? undefined);
    const res = await refine(h, user, "t-br-ok");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ refined: true, model: "local-stand-in:deepseek-chat" });
    const cost = h.logRecords().find((r) => r.msg === "refined" && r.traceId === "t-br-ok")?.cost as number;
    expect(cost).toBeGreaterThan(0);
    expect(spendOfReply((await redis.get(spendKeys.user(prefix, user, Date.now()))) ?? undefined) - spentBefore).toBe(Math.round(cost * 1e6));
    expect(spendOfReply((await redis.get(spendKeys.userHeld(prefix, user, Date.now()))) ?? undefined)).toBe(0);
    expect(spendOfReply((await redis.get(spendKeys.appHeld(prefix, Date.now()))) ?? undefined)).toBe(0);
    // Spent past the budget now: the refinement already kept costs nothing, so it is served.
    await redis.incrby(spendKeys.user(prefix, user, Date.now()), 2_000_000);
    const again = await refine(h, user, "t-br-ok");
    expect(again.status).toBe(200);
    expect(again.json.answer).toEqual(res.json.answer);
  });
});
