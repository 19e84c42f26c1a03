// The stand-in upstream's knobs, seen through the same openai SDK the backend uses.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractReply, replyFor } from "../scripts/local-upstream/replies";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";

describe("local upstream", () => {
  let upstream: LocalUpstream;
  let client: OpenAI;
  beforeAll(async () => {
    upstream = await startLocalUpstream();
    client = new OpenAI({ baseURL: upstream.url, apiKey: "k", maxRetries: 0 });
  });
  afterAll(() => upstream.close());

  const messages = [{ role: "user" as const, content: "Summarize the text below in at most 2 bullet points.\n\nText:\nOne fact. Two facts. Three facts." }];

  it("streams SSE chunks that add up to the reply, with usage at the end", async () => {
    const stream = await client.chat.completions.create({ model: "local-fast", messages, stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("- One fact.\n- Two facts.");
    expect(usage).toMatchObject({ total_tokens: expect.any(Number) });
  });

  it("cuts a stream mid-way when told to", async () => {
    upstream.enqueue({ cutStreamAfterChunks: 2 });
    const stream = await client.chat.completions.create({ model: "local-fast", messages, stream: true });
    let text = "";
    const consume = async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    };
    await expect(consume()).rejects.toThrow();
    expect(text).toBe("- One ");
  });

  it("answers with tool calls when told to", async () => {
    upstream.enqueue({ toolCalls: [{ name: "faq_lookup", arguments: '{"query":"refund"}' }] });
    const reply = await client.chat.completions.create({ model: "local-fast", messages, tools: [{ type: "function", function: { name: "faq_lookup", parameters: { type: "object" } } }] });
    expect(reply.choices[0]?.finish_reason).toBe("tool_calls");
    expect(reply.choices[0]?.message.tool_calls?.[0]).toMatchObject({ type: "function", function: { name: "faq_lookup", arguments: '{"query":"refund"}' } });
  });

  it("forces a status with Retry-After", async () => {
    upstream.enqueue({ status: 429, retryAfterSeconds: 3 });
    const res = await fetch(`${upstream.url}/chat/completions`, { method: "POST", body: "{}" });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
  });

  it("records what it was sent", async () => {
    const before = upstream.requests.length;
    await client.chat.completions.create({ model: "m", messages });
    expect(upstream.requests[before]?.body).toMatchObject({ model: "m", messages });
    expect(upstream.requests[before]?.authorization).toBe("Bearer k");
  });

  it("extracts fields written as 'name: value' or 'name is value'", () => {
    expect(JSON.parse(extractReply("Text:\nThe order id is 77. Phone: 13800000000", ["order_id", "phone", "email"]))).toEqual({ order_id: "77", phone: "13800000000", email: null });
  });

  it("asks one clarifying question for a vague support question", () => {
    expect(replyFor([{ role: "user", content: "Question: help" }])).toMatch(/\?$/);
  });
});
