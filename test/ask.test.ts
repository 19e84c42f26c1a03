// The request path end to end: real HTTP into the server, real HTTP out to the local upstream.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTICLE_TEXT, type Harness, startHarness } from "./support/harness";
import { filesWithoutRefine } from "./support/policyFiles";

const articleRequest = { intent: "summarize", userId: "u_123", traceId: "1732412345678", input: { text: ARTICLE_TEXT, maxBullets: 6 } };

function expectErrorBody(json: Record<string, unknown>, code: string): void {
  const { details, ...error } = json.error as { details?: unknown };
  expect({ ...json, error }).toEqual({ error: { code, message: expect.any(String) }, traceId: expect.any(String) });
  // Validation errors also carry every problem as data.
  if (details !== undefined) expect(details).toEqual(expect.arrayContaining([{ path: expect.any(String), message: expect.any(String) }]));
  expect(JSON.stringify(json)).not.toMatch(/\bat .*\(|node_modules|Error:/);
}

describe("POST /v1/mini/ask (dev)", () => {
  let h: Harness;
  beforeAll(async () => {
    // Without refine: its background call would reach the upstream between these requests.
    h = await startHarness({ env: "dev", rawFiles: filesWithoutRefine() });
  });
  afterAll(() => h.close());

  it("marks a whole answer the provider cut at max_tokens as truncated, and only that one", async () => {
    h.upstream.enqueue({ finishReason: "length" });
    const cut = await h.ask({ ...articleRequest, traceId: "t-truncated", input: { text: `${ARTICLE_TEXT} cut`, maxBullets: 3 } });
    expect(cut.status).toBe(200);
    expect(cut.json).toMatchObject({ traceId: "t-truncated", truncated: true });
    const whole = await h.ask({ ...articleRequest, traceId: "t-not-truncated", input: { text: `${ARTICLE_TEXT} whole`, maxBullets: 3 } });
    expect(whole.json).not.toHaveProperty("truncated");
  });

  it("answers the article's request with at most 6 bullets", async () => {
    const { status, json, headers } = await h.ask(articleRequest);
    expect(status).toBe(200);
    expect(json).toMatchObject({ traceId: "1732412345678", intent: "summarize", profile: "summarize_v2", cached: false });
    expect(headers.get("x-trace-id")).toBe("1732412345678");
    const bullets = String(json.answer).split("\n");
    expect(bullets.length).toBeGreaterThan(0);
    expect(bullets.length).toBeLessThanOrEqual(6);
    for (const bullet of bullets) expect(bullet).toMatch(/^- \S/);
    expect(json.model).toBe("local-stand-in:hunyuan-turbos-latest");
    expect(json.usage).toEqual({ promptTokens: expect.any(Number), completionTokens: expect.any(Number), totalTokens: expect.any(Number) });
  });

  it("sends the profile's system prompt, max_tokens and the configured model to the provider", async () => {
    const before = h.upstream.requests.length;
    await h.ask({ ...articleRequest, input: { text: "One. Two. Three.", maxBullets: 2 } });
    const sent = h.upstream.requests[before];
    expect(sent?.body.model).toBe("hunyuan-turbos-latest");
    expect(sent?.body.max_tokens).toBe(400);
    expect(sent?.body.temperature).toBe(0.2);
    const messages = sent?.body.messages as { role: string; content: string }[];
    expect(messages[0]).toEqual({ role: "system", content: expect.stringContaining("for a mobile screen") });
    expect(messages[1]?.content).toContain("in at most 2 bullet points");
    expect(sent?.authorization).toBe("Bearer sk-test-upstream-key-0123456789");
  });

  it("cuts a reply with too many bullets down to maxBullets", async () => {
    h.upstream.enqueue({ content: "- a\n- b\n- c\n- d\n- e" });
    const { json } = await h.ask({ ...articleRequest, input: { text: ARTICLE_TEXT, maxBullets: 3 } });
    expect(json.answer).toBe("- a\n- b\n- c");
  });

  it("makes up a traceId when the request has none, and returns it", async () => {
    const { status, json, headers } = await h.ask({ intent: "summarize", userId: "u_1", input: { text: "Hello there. Bye." } });
    expect(status).toBe(200);
    expect(json.traceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers.get("x-trace-id")).toBe(json.traceId);
  });

  it("answers support, recommend and extract", async () => {
    const support = await h.ask({ intent: "support", userId: "u_1", input: { question: "How do I reset my password on the app?" } });
    expect(support.status).toBe(200);
    expect(support.json.profile).toBe("support_v2");
    expect(String(support.json.answer)).toContain("reset my password");

    const recommend = await h.ask({
      intent: "recommend",
      userId: "u_1",
      input: { items: [{ id: "a1", title: "Green tea latte" }, { id: "b2", title: "Spicy noodles", tags: ["spicy"] }, "Plain rice"], preferences: ["spicy"], limit: 2 },
    });
    expect(recommend.status).toBe(200);
    expect(recommend.json.answer).toEqual([
      { id: "b2", title: "Spicy noodles", reason: "matches spicy" },
      { id: "a1", title: "Green tea latte", reason: "a popular pick" },
    ]);

    const extract = await h.ask({ intent: "extract", userId: "u_1", input: { text: "Order id: A-1001\nCity: Shenzhen", fields: ["order_id", "city", "phone"] } });
    expect(extract.status).toBe(200);
    expect(extract.json.answer).toEqual({ order_id: "A-1001", city: "Shenzhen", phone: null });
  });

  it("keeps only the asked fields of an extract reply", async () => {
    h.upstream.enqueue({ content: '```json\n{"city": "Hangzhou", "secret": "x", "zip": 310000}\n```' });
    const { json } = await h.ask({ intent: "extract", userId: "u_1", input: { text: "whatever", fields: ["city", "zip", "name"] } });
    expect(json.answer).toEqual({ city: "Hangzhou", zip: 310000, name: null });
  });

  it("answers 502 invalid_model_output when the reply cannot be shaped", async () => {
    h.upstream.enqueue({ content: "I cannot do JSON today." });
    const { status, json } = await h.ask({ intent: "extract", userId: "u_1", input: { text: "x", fields: ["city"] } });
    expect(status).toBe(502);
    expectErrorBody(json, "invalid_model_output");
  });

  describe("requested profile versions", () => {
    it("honours one that serves the intent and is allowed here", async () => {
      const { status, json } = await h.ask({ ...articleRequest, profile: "summarize_v2" });
      expect(status).toBe(200);
      expect(json.profile).toBe("summarize_v2");
    });

    it("refuses one this environment does not allow, with 403 profile_not_allowed", async () => {
      const before = h.upstream.requests.length;
      const { status, json } = await h.ask({ ...articleRequest, profile: "summarize_v1" });
      expect(status).toBe(403);
      expectErrorBody(json, "profile_not_allowed");
      expect(json.traceId).toBe("1732412345678");
      expect(h.upstream.requests.length).toBe(before);
    });

    it("refuses one that serves another intent, with 403 profile_intent_mismatch", async () => {
      const { status, json } = await h.ask({ ...articleRequest, profile: "support_v2" });
      expect(status).toBe(403);
      expectErrorBody(json, "profile_intent_mismatch");
    });

    it("refuses one that does not exist, with 403 profile_not_allowed", async () => {
      const { status, json } = await h.ask({ ...articleRequest, profile: "summarize_v7" });
      expect(status).toBe(403);
      expectErrorBody(json, "profile_not_allowed");
    });
  });

  describe("bad input gets a clear 4xx and never a 500", () => {
    const raw = (body: string | Buffer, headers: Record<string, string>) =>
      fetch(`${h.url}/v1/mini/ask`, { method: "POST", headers, body }).then(async (res) => ({ status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> }));

    it("without a valid token the body is never parsed: 401 before any body error", async () => {
      for (const body of ["{not json", "[1,2]", `{"intent":"summarize","input":${"[".repeat(10_000)}${"]".repeat(10_000)}}`]) {
        const { status, json } = await raw(body, { "content-type": "application/json" });
        expect(status).toBe(401);
        expectErrorBody(json, "missing_token");
      }
    });

    it("non-JSON -> 400 invalid_json", async () => {
      const { status, json } = await raw("{not json", { "content-type": "application/json", authorization: `Bearer ${await h.token("u_1")}` });
      expect(status).toBe(400);
      expectErrorBody(json, "invalid_json");
    });

    it("a JSON body that is not an object -> 400 invalid_request", async () => {
      const { status, json } = await raw("[1,2]", { "content-type": "application/json", authorization: `Bearer ${await h.token("u_1")}` });
      expect(status).toBe(400);
      expectErrorBody(json, "invalid_request");
    });

    it("wrong content type -> 415 unsupported_media_type", async () => {
      const { status, json } = await raw(JSON.stringify(articleRequest), { "content-type": "text/plain", authorization: `Bearer ${await h.token("u_1")}` });
      expect(status).toBe(415);
      expectErrorBody(json, "unsupported_media_type");
    });

    it("a body over 64 KiB -> 413 payload_too_large", async () => {
      const big = JSON.stringify({ ...articleRequest, input: { text: "x".repeat(70 * 1024) } });
      const { status, json } = await raw(big, { "content-type": "application/json" });
      expect(status).toBe(413);
      expectErrorBody(json, "payload_too_large");
    });

    it("a body over 64 KiB without Content-Length (chunked) -> 413", async () => {
      const chunks = [Buffer.from('{"text":"'), Buffer.alloc(70 * 1024, "y"), Buffer.from('"}')];
      const stream = new ReadableStream({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(chunk);
          controller.close();
        },
      });
      const res = await fetch(`${h.url}/v1/mini/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: stream, duplex: "half" } as RequestInit);
      expect(res.status).toBe(413);
    });

    it("wrong types -> 400 invalid_request naming the path", async () => {
      const { status, json } = await h.ask({ ...articleRequest, userId: 42 }, { token: await h.token("u_123") });
      expect(status).toBe(400);
      expectErrorBody(json, "invalid_request");
      expect((json.error as { message: string }).message).toBe("userId: expected string, got number");
      expect((json.error as { details: unknown }).details).toEqual([{ path: "userId", message: "expected string, got number" }]);
    });

    it("answers a body that fails validation with the traceId it named", async () => {
      const bad = await h.ask({ intent: "summarize", userId: "u_123", traceId: "t-named-1", input: { text: "hi" }, context: { "bad key!": "x" } });
      expect(bad.status).toBe(400);
      expect(bad.json.traceId).toBe("t-named-1");
      expect(bad.headers.get("x-trace-id")).toBe("t-named-1");
      const unknown = await h.ask({ intent: "poetry", userId: "u_123", traceId: "t-named-2", input: {} });
      expect(unknown.json).toMatchObject({ error: { code: "unknown_intent" }, traceId: "t-named-2" });
      expect(h.logRecords().find((r) => r.msg === "request" && r.traceId === "t-named-2")).toMatchObject({ code: "unknown_intent" });
    });

    it("every validation problem comes back as data, the first still in the message", async () => {
      const { status, json } = await h.ask({ intent: "summarize", userId: "bad id!", traceId: "x y", input: { text: "", maxBullets: 99 }, context: { k: { nested: 1 } } });
      expect(status).toBe(400);
      const error = json.error as { message: string; details: { path: string; message: string }[] };
      expect(error.details.map((d) => d.path).sort()).toEqual(["context.k", "traceId", "userId"]);
      expect(error.message).toBe(`${error.details[0]!.path}: ${error.details[0]!.message}`);
      // Per-intent input: every field's problem too.
      const input = await h.ask({ intent: "summarize", userId: "u_123", input: { text: 5, maxBullets: 99 } });
      expect((input.json.error as { details: { path: string }[] }).details.map((d) => d.path).sort()).toEqual(["input.maxBullets", "input.text"]);
    });

    it("a missing input -> 400 naming input", async () => {
      const { status, json } = await h.ask({ intent: "summarize", userId: "u_123" });
      expect(status).toBe(400);
      expect((json.error as { message: string }).message).toBe("input: required record, missing");
    });

    it("per-intent input: maxBullets out of range -> 400 invalid_input at input.maxBullets", async () => {
      const { status, json } = await h.ask({ ...articleRequest, input: { text: "hi", maxBullets: 21 } });
      expect(status).toBe(400);
      expectErrorBody(json, "invalid_input");
      expect((json.error as { message: string }).message).toBe("input.maxBullets: expected a number at most 20");
      expect((json.error as { details: unknown }).details).toEqual([{ path: "input.maxBullets", message: "expected a number at most 20" }]);
      // The log line still says which profile the request was routed to.
      expect(h.logRecords().filter((r) => r.msg === "request").at(-1)).toMatchObject({ code: "invalid_input", profile: expect.stringMatching(/^summarize_v/), arm: "control" });
    });

    it("per-intent input: extract without fields -> 400 at input.fields", async () => {
      const { status, json } = await h.ask({ intent: "extract", userId: "u_123", input: { text: "x" } });
      expect(status).toBe(400);
      expect((json.error as { message: string }).message).toBe("input.fields: required array, missing");
    });

    it("unknown intent -> 400 unknown_intent", async () => {
      const { status, json } = await h.ask({ ...articleRequest, intent: "translate" });
      expect(status).toBe(400);
      expectErrorBody(json, "unknown_intent");
    });

    it("a context that is too big -> 400", async () => {
      const context = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i]));
      const { status, json } = await h.ask({ ...articleRequest, context });
      expect(status).toBe(400);
      expect((json.error as { message: string }).message).toBe("context: expected at most 16 entries");
    });

    it("a traceId that could not go into a header -> 400, answered with a fresh traceId", async () => {
      const { status, json } = await h.ask({ ...articleRequest, traceId: "bad\r\nx-injected: 1" });
      expect(status).toBe(400);
      expect(json.traceId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("unknown path -> 404, wrong method -> 405 with Allow", async () => {
      const missing = await fetch(`${h.url}/v1/mini/nope`);
      expect(missing.status).toBe(404);
      expectErrorBody((await missing.json()) as Record<string, unknown>, "not_found");
      const wrong = await fetch(`${h.url}/v1/mini/ask`);
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get("allow")).toBe("POST");
      expectErrorBody((await wrong.json()) as Record<string, unknown>, "method_not_allowed");
    });
  });

  it("reuses its sockets to the provider instead of a new connection per model call", async () => {
    const token = await h.token("u_keepalive");
    const before = h.upstream.connections();
    for (let i = 0; i < 20; i++) {
      const res = await h.ask({ intent: "summarize", userId: "u_keepalive", input: { text: `Fact number ${i}. Another fact.` } }, { token });
      expect(res.status).toBe(200);
    }
    // One socket serves sequential calls; a regression (a Keep-Alive hint undici treats as
    // expired, a client built per request) shows up as one connection per call.
    expect(h.upstream.connections() - before).toBeLessThanOrEqual(2);
  });

  it("GET /healthz reports env, config hash and readiness", async () => {
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    // The breakers' state too, in dev and staging (none has seen a call yet here, or some have).
    expect(await res.json()).toEqual({ status: "ready", env: "dev", configHash: h.built.config.hash, intents: ["summarize", "support", "recommend", "extract"], breakers: expect.any(Array) });
  });

  it("writes one JSON request line per request, with the traceId, and its audit line beside it", async () => {
    const before = h.logs.length;
    await h.ask({ ...articleRequest, traceId: "trace-log-1" });
    await h.ask({ ...articleRequest, traceId: "trace-log-2", profile: "summarize_v1" });
    const all = h.logRecords().slice(before);
    expect(all.filter((r) => r.msg === "audit").map((r) => [r.traceId, r.auditVersion])).toEqual([["trace-log-1", 1], ["trace-log-2", 1]]);
    const lines = all.filter((r) => r.msg !== "audit");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ msg: "request", traceId: "trace-log-1", status: 200, intent: "summarize", profile: "summarize_v2", env: "dev" });
    expect(lines[1]).toMatchObject({ msg: "request", traceId: "trace-log-2", status: 403, code: "profile_not_allowed" });
  });
});

describe("per-environment routing", () => {
  it("serves prod's routing (summarize_v1) and refuses dev's v2 there", async () => {
    const h = await startHarness({ env: "prod" });
    try {
      const ok = await h.ask(articleRequest);
      expect(ok.status).toBe(200);
      expect(ok.json.profile).toBe("summarize_v1");
      const v2 = await h.ask({ ...articleRequest, profile: "summarize_v2" });
      expect(v2.status).toBe(403);
      expect((v2.json.error as { code: string }).code).toBe("profile_not_allowed");
    } finally {
      await h.close();
    }
  });

  it("lets staging serve both versions on request", async () => {
    const h = await startHarness({ env: "staging" });
    try {
      expect((await h.ask(articleRequest)).json.profile).toBe("summarize_v1");
      expect((await h.ask({ ...articleRequest, profile: "summarize_v2" })).json.profile).toBe("summarize_v2");
    } finally {
      await h.close();
    }
  });
});
