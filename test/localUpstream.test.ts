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

  it("streams tool calls split as OpenAI's streams split them: id and name first, then the arguments in pieces by index", async () => {
    const calls = [
      { name: "faq_lookup", arguments: '{"query":"refund policy"}' },
      { name: "order_status", arguments: '{"orderId":"A-1001"}' },
    ];
    upstream.enqueue({ toolCalls: calls, toolCallPieceChars: 5 });
    const stream = await client.chat.completions.create({ model: "local-fast", messages, stream: true, tools: [{ type: "function", function: { name: "faq_lookup", parameters: { type: "object" } } }] });
    const built: { id?: string; name?: string; arguments: string }[] = [];
    let deltas = 0;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      finish = chunk.choices[0]?.finish_reason ?? finish;
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        deltas++;
        const call = (built[delta.index] ??= { arguments: "" });
        // Only a call's first delta names it; the rest carry arguments only.
        if (delta.id) expect(call.id).toBeUndefined();
        call.id ??= delta.id;
        call.name ??= delta.function?.name;
        call.arguments += delta.function?.arguments ?? "";
      }
    }
    expect(built).toEqual([
      { id: "call_local_0", name: "faq_lookup", arguments: calls[0]!.arguments },
      { id: "call_local_1", name: "order_status", arguments: calls[1]!.arguments },
    ]);
    // Two naming deltas, then 25 and 20 characters of arguments in pieces of 5: 5 and 4.
    expect(deltas).toBe(2 + 5 + 4);
    expect(finish).toBe("tool_calls");
  });

  it("says its content before its tool calls when given both, streamed and whole", async () => {
    const calls = [{ name: "faq_lookup", arguments: '{"query":"refund"}' }];
    upstream.enqueue({ content: "Let me check that for you.", toolCalls: calls }, { content: "Let me check that for you.", toolCalls: calls });
    const stream = await client.chat.completions.create({ model: "local-fast", messages, stream: true });
    const order: string[] = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      if (delta?.content) order.push(`text:${delta.content}`);
      for (const call of delta?.tool_calls ?? []) order.push(`call:${call.function?.name}`);
    }
    expect(order).toEqual(["text:Let ", "text:me ", "text:check ", "text:that ", "text:for ", "text:you.", "call:faq_lookup"]);
    const whole = await client.chat.completions.create({ model: "local-fast", messages });
    expect(whole.choices[0]?.message).toMatchObject({ content: "Let me check that for you.", tool_calls: [{ function: calls[0] }] });
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
