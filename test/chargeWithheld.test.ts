// What a request spent on model calls is charged whatever the outcome: a whole answer withheld
// by our output rules or that could not be shaped even after the repair turn, the same
// streamed, and a stream the client left before `done` (its delivered part, estimated when the
// provider never reported usage). Charged means all three: the quota counter, the money
// budget's counter and the audit record's cost and usage. Staging, a real Redis, real HTTP.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spendKeys, spendOfReply } from "../lib/cost/budgetStorePlan";
import type { RawConfigFiles } from "../lib/config/loadConfig";
import { storeKeys } from "../lib/store/storeKeys";
import { ARTICLE_TEXT, type Harness, realConfigFiles, startHarness } from "./support/harness";

const REDIS = "redis://127.0.0.1:6379";
const BLOCKED = "代开发票"; // one of staging's blocked_output_terms

/** Staging with a money budget far above these requests (spend is counted only when one is set). */
function filesWithBudget(): RawConfigFiles {
  const files = structuredClone(realConfigFiles()) as RawConfigFiles & { envPolicy: { environments: Record<string, Record<string, unknown>> } };
  files.envPolicy.environments.staging!.budget = { per_user: { daily_cny: 100, policy: "refuse" } };
  return files;
}

interface RequestLine {
  status: number;
  code?: string;
  cost?: number;
  usage?: { promptTokens: number; completionTokens: number; totalTokens: number };
  attempts?: { model: string; cost?: number; outcome?: string }[];
}

describe("charges for paid calls whose answer never reached the user", () => {
  const prefix = `test:${randomUUID()}:`;
  const redis = new Redis(REDIS);
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: "staging", rawFiles: filesWithBudget(), processEnv: { MINIASK_STORE: REDIS, MINIASK_STORE_PREFIX: prefix } });
  });
  afterAll(async () => {
    await h.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  const lineOf = (traceId: string) => h.logRecords().find((r) => r.msg === "request" && r.traceId === traceId) as RequestLine | undefined;
  /** The three places a charge lands: the quota, the user's spend, the audit record. */
  const chargedTo = async (userId: string, traceId: string) => {
    const [auditKey] = await redis.keys(`${prefix}audit:v1:${traceId}:*`);
    return {
      quota: Number(await redis.get(storeKeys.quota(prefix, userId, Date.now()))),
      spendMicroYuan: spendOfReply(await redis.get(spendKeys.user(prefix, userId, Date.now()))),
      audit: JSON.parse((await redis.get(auditKey!))!) as { cost?: number; usage?: { totalTokens: number } },
    };
  };
  const expectCharged = async (userId: string, traceId: string, line: RequestLine) => {
    expect(line.usage?.totalTokens).toBeGreaterThan(0);
    expect(line.cost).toBeGreaterThan(0);
    const charged = await chargedTo(userId, traceId);
    expect(charged.quota).toBe(line.usage!.totalTokens);
    expect(charged.spendMicroYuan).toBe(Math.round(line.cost! * 1e6));
    expect(charged.audit).toMatchObject({ cost: line.cost, usage: line.usage });
  };
  const streamed = async (userId: string, traceId: string, body: Record<string, unknown>) => {
    const res = await fetch(`${h.url}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await h.token(userId)}` },
      body: JSON.stringify({ ...body, userId, traceId, stream: true }),
    });
    return res.text();
  };

  it("charges a whole invalid_model_output its two calls (the reply and the repair)", async () => {
    const traceId = `t-prose-${randomUUID()}`;
    h.upstream.enqueue({ content: "Sure! The name is Li Lei and the city is Chengdu." }, { content: "Li Lei lives in Chengdu, as the text says." });
    const res = await h.ask({ intent: "extract", userId: "u_prose", traceId, input: { text: "Name: Li Lei. City: Chengdu.", fields: ["name", "city"] } });
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({ error: { code: "invalid_model_output" } });
    const line = lineOf(traceId)!;
    expect(line.attempts).toHaveLength(2);
    // Each answered call's cost is in its attempt; the request's is their sum.
    expect(line.attempts!.every((a) => (a.cost ?? 0) > 0)).toBe(true);
    await expectCharged("u_prose", traceId, line);
  });

  it("charges a whole answer withheld for a blocked term", async () => {
    const traceId = `t-blocked-${randomUUID()}`;
    h.upstream.enqueue({ content: `You can buy ${BLOCKED} from us.` });
    const res = await h.ask({ intent: "support", userId: "u_blocked", traceId, input: { question: `Can I get an invoice? ${randomUUID()}` } });
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({ error: { code: "blocked_output" } });
    const line = lineOf(traceId)!;
    expect(line).toMatchObject({ status: 502, code: "blocked_output" });
    await expectCharged("u_blocked", traceId, line);
  });

  it("charges a withheld shared call to its leader alone, once", async () => {
    // Identical concurrent misses share one model call (single flight): it is paid once, by the one that made it.
    h.upstream.enqueue({ content: `You can buy ${BLOCKED} from us.`, delayMs: 200 });
    const question = `Can I get an invoice for all of it? ${randomUUID()}`;
    const users = ["u_flight1", "u_flight2", "u_flight3"];
    const traceIds = users.map((u) => `t-${u}-${randomUUID()}`);
    const before = h.upstream.requests.length;
    const results = await Promise.all(users.map((userId, i) => h.ask({ intent: "support", userId, traceId: traceIds[i], input: { question } })));
    expect(results.map((r) => r.status)).toEqual([502, 502, 502]);
    expect(h.upstream.requests.length - before).toBe(1);
    const charged = await Promise.all(users.map((u, i) => chargedTo(u, traceIds[i]!)));
    const payers = charged.filter((c) => c.quota > 0);
    expect(payers).toHaveLength(1);
    expect(payers[0]!.spendMicroYuan).toBeGreaterThan(0);
    expect(charged.filter((c) => c.quota === 0 && c.spendMicroYuan === 0 && c.audit.cost === undefined)).toHaveLength(2);
  });

  it("charges a streamed answer withheld for a blocked term", async () => {
    const traceId = `t-sblocked-${randomUUID()}`;
    h.upstream.enqueue({ content: `You can buy ${BLOCKED} from us, any amount.` });
    const text = await streamed("u_sblocked", traceId, { intent: "support", input: { question: `Can I get an invoice? ${randomUUID()}` } });
    expect(text).toContain("event: error");
    expect(text).toContain("blocked_output");
    const line = lineOf(traceId)!;
    expect(line).toMatchObject({ code: "blocked_output" });
    await expectCharged("u_sblocked", traceId, line);
  });

  it("charges a streamed invalid_model_output", async () => {
    const traceId = `t-sprose-${randomUUID()}`;
    h.upstream.enqueue({ content: "Sure! The name is Li Lei and the city is Chengdu." });
    const text = await streamed("u_sprose", traceId, { intent: "extract", input: { text: "Name: Li Lei. City: Chengdu.", fields: ["name", "city"] } });
    expect(text).toContain("invalid_model_output");
    await expectCharged("u_sprose", traceId, lineOf(traceId)!);
  });

  it("charges a stream the client left its delivered part: the estimate from the text so far", async () => {
    const traceId = `t-left-${randomUUID()}`;
    // 40 words, 100 ms apart: the client leaves after the first delta, long before the provider's usage.
    const words = Array.from({ length: 40 }, (_, i) => `word${i}.`).join(" ");
    h.upstream.enqueue({ content: words, chunkDelayMs: 100 });
    const controller = new AbortController();
    const res = await fetch(`${h.url}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await h.token("u_left")}` },
      body: JSON.stringify({ intent: "summarize", userId: "u_left", traceId, input: { text: ARTICLE_TEXT }, stream: true, profile: "summarize_v1" }),
      signal: controller.signal,
    });
    const first = new TextDecoder().decode((await res.body!.getReader().read()).value);
    expect(first).toContain("event: delta");
    controller.abort();
    const line = await expect.poll(() => lineOf(traceId), { timeout: 10_000 }).toMatchObject({ status: 499, code: "client_closed" }).then(() => lineOf(traceId)!);
    // Part of the reply, not all of it: about four characters a token of what was written.
    expect(line.usage!.completionTokens).toBeGreaterThan(0);
    expect(line.usage!.completionTokens).toBeLessThan(Math.ceil(words.length / 4));
    expect(line.usage!.promptTokens).toBeGreaterThan(Math.ceil(ARTICLE_TEXT.length / 4) - 1);
    await expectCharged("u_left", traceId, line);
  });

  // Last: it makes every provider fail for a while (their breakers may open).
  it("charges the paid reply when no provider answers its repair turn", async () => {
    const traceId = `t-norepair-${randomUUID()}`;
    h.upstream.enqueue({ content: "Sure! The name is Li Lei and the city is Chengdu." });
    h.upstream.setDefault({ status: 500 });
    try {
      const res = await h.ask({ intent: "extract", userId: "u_norepair", traceId, input: { text: "Name: Li Lei. City: Chengdu.", fields: ["name", "city"] } });
      expect(res.status).toBe(503);
      expect(res.json).toMatchObject({ error: { code: "model_unavailable" } });
    } finally {
      h.upstream.setDefault({});
    }
    const line = lineOf(traceId)!;
    // The answered call first (with its cost), then the repair turn's failed ones.
    expect(line.attempts![0]).toMatchObject({ outcome: "ok" });
    expect(line.attempts![0]!.cost).toBe(line.cost);
    expect(line.attempts!.slice(1).every((a) => a.outcome !== "ok")).toBe(true);
    expect(line.attempts!.length).toBeGreaterThan(1);
    await expectCharged("u_norepair", traceId, line);
  });
});
