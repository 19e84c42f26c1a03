// Money: every record says what it cost, and daily budgets hold across processes on Redis:
// `degrade` routes strong to fast (no refine), `refuse` answers 429 budget_exceeded until
// Beijing midnight. Exact: the INCRBY in the record step's MULTI is the only counter.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { RawConfigFiles } from "../lib/config/loadConfig";
import { storeKeys } from "../lib/store/storeKeys";
import { type Harness, startHarness } from "./support/harness";
import { filesWithBudget } from "./support/policyFiles";

const REDIS = "redis://127.0.0.1:6379";
const redis = new Redis(REDIS);


describe("cost and budgets (staging, Redis, two processes)", () => {
  const open: Harness[] = [];
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });
  afterAll(() => redis.disconnect());
  const harness = async (files: RawConfigFiles, prefix: string, upstream?: Harness["upstream"]) => {
    const h = await startHarness({ env: "staging", rawFiles: files, ...(upstream ? { upstream } : {}), processEnv: { MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prefix } });
    open.push(h);
    return h;
  };
  const support = (h: Harness, userId: string, i: number) => h.ask({ intent: "support", userId, traceId: `bud-${i}-${randomUUID().slice(0, 6)}`, input: { question: `Where is my parcel number ${i}? ${randomUUID()}` } });

  it("puts each call's cost in CNY, from models.yaml's prices, in the log line and the audit record", async () => {
    const prefix = `test:${randomUUID()}:`;
    const h = await harness(filesWithBudget("staging", {}), prefix);
    const res = await support(h, "u_cost", 1);
    expect(res.status).toBe(200);
    const line = h.logRecords().find((r) => r.msg === "request" && r.traceId === res.json.traceId) as { cost: number; attempts: { model: string; cost?: number }[]; usage: { promptTokens: number; completionTokens: number } };
    // staging support_v1 -> strong -> deepseek-chat: 2.0 in, 8.0 out, CNY per million tokens.
    const expected = Math.floor((line.usage.promptTokens * 2000 + line.usage.completionTokens * 8000 + 500) / 1000) / 1e6;
    expect(line.attempts.at(-1)).toMatchObject({ model: "deepseek-chat", cost: expected });
    expect(line.cost).toBe(expected);
    const [key] = await redis.keys(`${prefix}audit:v1:${String(res.json.traceId)}:*`);
    expect(JSON.parse((await redis.get(key!))!)).toMatchObject({ cost: expected, attempts: [expect.objectContaining({ model: "deepseek-chat", cost: expected })] });
    // A cache hit costs nothing (support_v1 caches FAQ-like answers).
    const again = await h.ask({ intent: "support", userId: "u_cost", input: { question: "How do I get a refund?" } });
    const hit = await h.ask({ intent: "support", userId: "u_cost", input: { question: "How do I get a refund?" } });
    expect(again.status).toBe(200);
    if (hit.json.cached === true) expect(h.logRecords().find((r) => r.msg === "request" && r.traceId === hit.json.traceId)).not.toHaveProperty("cost");
  });

  it("degrades strong to fast once the app's budget is spent, seen by another process", async () => {
    const prefix = `test:${randomUUID()}:`;
    // About 0.0006 CNY a support answer here: two spend it.
    const files = filesWithBudget("staging", { app: { daily_cny: 0.0008, policy: "degrade" } });
    const one = await harness(files, prefix);
    const two = await harness(files, prefix, one.upstream);
    const models: string[] = [];
    for (let i = 0; i < 2; i++) models.push(String((await support(one, "u_deg", i)).json.model));
    expect(models).toEqual(["local-stand-in:deepseek-chat", "local-stand-in:deepseek-chat"]);
    const degraded = await support(two, "u_deg2", 3);
    expect(degraded.status).toBe(200);
    expect(degraded.json.model).toBe("local-stand-in:hunyuan-turbos-latest");
    expect(two.logRecords().find((r) => r.msg === "request" && r.traceId === degraded.json.traceId)).toMatchObject({ budget: "degraded" });
    // One warning and one "exhausted" line across both processes, not one per request.
    const lines = [...one.logRecords(), ...two.logRecords()];
    expect(lines.filter((r) => r.msg === "budget warning")).toHaveLength(1);
    expect(lines.filter((r) => r.msg === "budget exhausted")).toHaveLength(1);
  });

  it("refuses a user past their budget with 429 budget_exceeded until Beijing midnight, on any process", async () => {
    const prefix = `test:${randomUUID()}:`;
    const files = filesWithBudget("staging", { per_user: { daily_cny: 0.0008, policy: "refuse" } });
    const one = await harness(files, prefix);
    const two = await harness(files, prefix, one.upstream);
    const spent: number[] = [];
    for (const i of [1, 2]) {
      const res = await support(one, "u_ref", i);
      expect(res.status).toBe(200);
      spent.push((res.json.usage as { totalTokens: number }).totalTokens);
    }
    const before = one.upstream.requests.length;
    const refused = await support(two, "u_ref", 3);
    expect(refused.status).toBe(429);
    expect((refused.json.error as { code: string }).code).toBe("budget_exceeded");
    const retryAfter = Number(refused.headers.get("retry-after"));
    const now = new Date(Date.now() + 8 * 3600_000);
    const toMidnight = 86_400 - (now.getUTCHours() * 3600 + now.getUTCMinutes() * 60 + now.getUTCSeconds());
    expect(Math.abs(retryAfter - toMidnight)).toBeLessThanOrEqual(2);
    expect(one.upstream.requests.length).toBe(before);
    // The refused request's quota reservation was given back: only real usage is counted.
    expect(Number(await redis.get(storeKeys.quota(prefix, "u_ref", Date.now())))).toBe(spent[0]! + spent[1]!);
    // Another user is not affected.
    expect((await support(two, "u_other", 4)).status).toBe(200);
  });
});
