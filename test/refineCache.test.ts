// One cached answer per request (issue 26): a refining profile's fast answer is cached as a
// draft; the refinement replaces it when it lands (computed by /refine), and a hit behaves the
// same streamed or whole: the refined answer once there is one, else the draft with its way to
// the refinement (whole: `refine: {id}`; streamed: draft events, then the refinement as final).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSseParser, type SseEvent } from "../miniprogram/src/sseParser";
import type { RawConfigFiles } from "../lib/config/loadConfig";
import { ARTICLE_TEXT, type Harness, realConfigFiles, startHarness } from "./support/harness";

const STRONG = "local-stand-in:deepseek-chat";
const FAST = "local-stand-in:hunyuan-turbos-latest";
const REFINED = "- The refined answer, from the strong model.";

describe("the cache and fast-then-refine agree (dev, summarize_v2 refines with strong)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: "dev" });
    // The strong model says something the fast one never would: which answer is which is plain.
    h.upstream.setModelFault("deepseek-chat", { content: REFINED });
  });
  afterAll(() => h.close());

  const question = () => ({ intent: "summarize", userId: "u_rc", input: { text: `${ARTICLE_TEXT} ${randomUUID()}`, maxBullets: 2 } });
  const refine = async (traceId: string) => {
    const res = await fetch(`${h.url}/v1/mini/refine`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${await h.token("u_rc")}` }, body: JSON.stringify({ traceId }) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const streamAsk = async (body: Record<string, unknown>) => {
    const res = await fetch(`${h.url}/v1/mini/ask`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${await h.token("u_rc")}` }, body: JSON.stringify({ ...body, stream: true }) });
    const events: SseEvent[] = [];
    const parser = createSseParser((e) => events.push(e));
    parser.push(new Uint8Array(await res.arrayBuffer()));
    parser.end();
    return events;
  };
  const modelsSince = (before: number) => h.upstream.requests.slice(before).map((r) => r.body.model);

  it("asked twice unstreamed: the second answer is the refined one, from the cache, once the refinement landed", async () => {
    const q = question();
    const first = await h.ask({ ...q, traceId: `t-rc-1-${randomUUID()}` });
    expect(first.json).toMatchObject({ cached: false, model: FAST, refine: { id: first.json.traceId } });
    expect(first.json.answer).not.toBe(REFINED);
    const refined = await refine(String(first.json.traceId));
    expect(refined.json).toMatchObject({ refined: true, answer: REFINED, model: STRONG });
    const before = h.upstream.requests.length;
    const second = await h.ask(q);
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ cached: true, answer: REFINED, model: STRONG, usage: { totalTokens: 0 } });
    // Nothing left to refine, and no model called.
    expect(second.json.refine).toBeUndefined();
    expect(modelsSince(before)).toEqual([]);
  });

  it("serves the draft with its refine offer before the refinement landed; that /refine takes the landed refinement, no second strong call", async () => {
    const q = question();
    const first = await h.ask(q);
    const before = h.upstream.requests.length;
    const second = await h.ask(q);
    expect(second.json).toMatchObject({ cached: true, answer: first.json.answer, model: FAST, refine: { id: second.json.traceId } });
    expect(modelsSince(before)).toEqual([]);
    // The first request's refinement lands (one strong call), then the second's /refine reads it.
    expect((await refine(String(first.json.traceId))).json).toMatchObject({ answer: REFINED });
    expect((await refine(String(second.json.traceId))).json).toMatchObject({ refined: true, answer: REFINED, model: STRONG });
    expect(modelsSince(before)).toEqual(["deepseek-chat"]);
  });

  it("a draft's own refine offer, taken up on a hit, lands the refinement in the cache too", async () => {
    const q = question();
    await h.ask(q);
    const second = await h.ask(q);
    expect((await refine(String(second.json.traceId))).json).toMatchObject({ answer: REFINED });
    const third = await h.ask(q);
    expect(third.json).toMatchObject({ cached: true, answer: REFINED });
    expect(third.json.refine).toBeUndefined();
  });

  it("streamed, a cached draft goes out as draft events and its refinement streams as final, then is what the cache holds", async () => {
    const q = question();
    const first = await h.ask(q);
    const before = h.upstream.requests.length;
    const events = await streamAsk(q);
    const kinds = events.map((e) => e.event);
    expect(kinds[0]).toBe("draft");
    expect(kinds).toContain("final");
    expect(kinds.at(-1)).toBe("done");
    const text = (kind: string) => events.filter((e) => e.event === kind).map((e) => (JSON.parse(e.data) as { text: string }).text).join("");
    expect(text("draft")).toBe(first.json.answer);
    expect(text("final")).toBe(REFINED);
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ answer: REFINED, draft: first.json.answer, refined: true });
    // Only the strong model was called: the draft came from the cache.
    expect(modelsSince(before)).toEqual(["deepseek-chat"]);
    const after = await h.ask(q);
    expect(after.json).toMatchObject({ cached: true, answer: REFINED, model: STRONG });
    expect(after.json.refine).toBeUndefined();
  });

  it("a streamed first request caches the refined answer; a whole repeat gets it with no refine offer", async () => {
    const q = question();
    const events = await streamAsk(q);
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ refined: true, answer: REFINED });
    const again = await h.ask(q);
    expect(again.json).toMatchObject({ cached: true, answer: REFINED, model: STRONG });
    expect(again.json.refine).toBeUndefined();
    // And streamed: the refined answer as a plain cached answer, one delta.
    const streamed = await streamAsk(q);
    expect(streamed.map((e) => e.event)).toEqual(["delta", "done"]);
    expect(JSON.parse(streamed[1]!.data)).toMatchObject({ cached: true, answer: REFINED });
  });

  it("a stream whose refinement failed caches its draft as a draft: the next whole repeat offers to refine", async () => {
    const q = question();
    h.upstream.setModelFault("deepseek-chat", { status: 400 });
    try {
      const events = await streamAsk(q);
      expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ refined: false });
    } finally {
      h.upstream.setModelFault("deepseek-chat", { content: REFINED });
    }
    const again = await h.ask(q);
    expect(again.json).toMatchObject({ cached: true, model: FAST, refine: { id: again.json.traceId } });
  });
});

describe("a cached draft past the day's budget (dev, per-user budget that refuses)", () => {
  let h: Harness;
  beforeAll(async () => {
    const files = structuredClone(realConfigFiles()) as RawConfigFiles & { envPolicy: { environments: { dev: Record<string, unknown> } } };
    files.envPolicy.environments.dev.budget = { per_user: { daily_cny: 0.000001, policy: "refuse" } };
    h = await startHarness({ env: "dev", rawFiles: files });
  });
  afterAll(() => h.close());

  it("is served as it is, with no refine offer and no strong call, where a fresh question is refused", async () => {
    const q = { intent: "summarize", userId: "u_rc_budget", input: { text: `${ARTICLE_TEXT} ${randomUUID()}`, maxBullets: 2 } };
    // The first answer spends past the user's budget (the check is made before a request, on what was spent).
    const first = await h.ask(q);
    expect(first.status).toBe(200);
    const before = h.upstream.requests.length;
    const again = await h.ask(q);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ cached: true, answer: first.json.answer });
    expect(again.json.refine).toBeUndefined();
    expect(h.logRecords().find((r) => r.msg === "request" && r.traceId === again.json.traceId)).toMatchObject({ budget: "degraded" });
    const fresh = await h.ask({ ...q, input: { ...q.input, text: `${ARTICLE_TEXT} ${randomUUID()}` } });
    expect(fresh.status).toBe(429);
    expect(h.upstream.requests.length).toBe(before);
  });
});

describe("a refinement the output checks withheld (staging, blocked-output terms)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: "staging", rawFiles: realConfigFiles() });
    h.upstream.setModelFault("deepseek-chat", { content: "- 这里有代开发票的办法\n- Tea is a drink." });
  });
  afterAll(() => h.close());

  it("leaves the draft the cached answer, offered for refining no more: one strong call in all", async () => {
    const q = { intent: "summarize", profile: "summarize_v2", userId: "u_rc_withheld", input: { text: `${ARTICLE_TEXT} ${randomUUID()}`, maxBullets: 2 } };
    const first = await h.ask(q);
    expect(first.json.refine).toEqual({ id: first.json.traceId });
    // A hit before the refinement is known: the draft, still offered.
    const early = await h.ask(q);
    expect(early.json).toMatchObject({ cached: true, refine: { id: early.json.traceId } });
    const token = await h.token("u_rc_withheld");
    const refined = await fetch(`${h.url}/v1/mini/refine`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ traceId: first.json.traceId }) });
    expect(refined.status).toBe(502);
    const later = await h.ask(q);
    expect(later.json).toMatchObject({ cached: true, answer: first.json.answer });
    expect(later.json.refine).toBeUndefined();
    expect(h.upstream.requests.filter((r) => r.body.model === "deepseek-chat")).toHaveLength(1);
  });
});
