// Shaping and the one repair turn, through the real pipeline and the local upstream.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTICLE_TEXT, type Harness, startHarness } from "./support/harness";

describe("generateAnswer", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: "staging" });
  });
  afterAll(() => h.close());

  const extract = { intent: "extract", userId: "u_1", input: { text: "Name: Li Lei. City: Chengdu.", fields: ["name", "city"] } };

  it("repairs invalid JSON once, telling the model what was wrong", async () => {
    h.upstream.enqueue({ content: "Sure! The name is Li Lei and the city is Chengdu." }, { content: '{"name":"Li Lei","city":"Chengdu"}' });
    const before = h.upstream.requests.length;
    const res = await h.ask(extract);
    expect(res.status).toBe(200);
    expect(res.json.answer).toEqual({ name: "Li Lei", city: "Chengdu" });
    const repair = h.upstream.requests[before + 1]?.body.messages as { role: string; content: string }[];
    expect(repair.at(-2)).toEqual({ role: "assistant", content: "Sure! The name is Li Lei and the city is Chengdu." });
    expect(repair.at(-1)?.content).toContain("Your reply could not be used (not a JSON object)");
    // Both calls' tokens count.
    expect((res.json.usage as { totalTokens: number }).totalTokens).toBeGreaterThan(0);
    expect(h.logRecords().at(-1)).toMatchObject({ repaired: true, status: 200 });
  });

  it("answers 502 invalid_model_output when the repair fails too", async () => {
    h.upstream.enqueue({ content: "no json" }, { content: "still no json" });
    const res = await h.ask(extract);
    expect(res.status).toBe(502);
    expect(res.json.error).toEqual({ code: "invalid_model_output", message: "the model's reply could not be used: not a JSON object (after one repair attempt)" });
  });

  it("repairs a summary with no usable bullets", async () => {
    h.upstream.enqueue({ content: "   " }, { content: "- one\\n- two" });
    const res = await h.ask({ intent: "summarize", userId: "u_1", input: { text: ARTICLE_TEXT, maxBullets: 4 } }, { headers: { "x-miniask-cache": "bypass" } });
    expect(res.status).toBe(200);
  });

  it("says in the reply which attempts failed before the answer", async () => {
    h.upstream.enqueue({ status: 500 });
    const res = await h.ask({ intent: "summarize", userId: "u_1", input: { text: `${ARTICLE_TEXT} fallback`, maxBullets: 2 } });
    expect(res.status).toBe(200);
    expect(res.json.attempts).toEqual([
      { provider: "hunyuan@override", model: "hunyuan-turbos-latest", outcome: "server_error", status: 500, ms: expect.any(Number) },
      { provider: "qwen@override", model: "qwen-turbo", outcome: "ok", ms: expect.any(Number) },
    ]);
    expect(h.logRecords().at(-1)).toMatchObject({ provider: "qwen@override", attempts: [{ outcome: "server_error" }, { outcome: "ok" }] });
  });

  it("answers 503 model_unavailable with the traceId when every provider fails", async () => {
    h.upstream.setDefault({ status: 503 });
    try {
      const res = await h.ask({ intent: "summarize", userId: "u_1", traceId: "t-all-down", input: { text: `${ARTICLE_TEXT} down`, maxBullets: 2 } });
      expect(res.status).toBe(503);
      // The client learns that no model could answer, not which providers we use or how they failed.
      expect(res.json).toEqual({ error: { code: "model_unavailable", message: "no model could answer right now; try again shortly" }, traceId: "t-all-down" });
      expect(JSON.stringify(res.json)).not.toMatch(/forced status|hunyuan|qwen|server_error/);
      // The log line keeps it.
      expect(h.logRecords().find((r) => r.msg === "request" && r.traceId === "t-all-down")).toMatchObject({ error: expect.stringContaining("hunyuan@override/hunyuan-turbos-latest: server_error") });
    } finally {
      h.upstream.setDefault({});
    }
  });
});
