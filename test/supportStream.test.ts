// support streams (issue 26): its dev profile (support_v2) has tools. Each round is a streamed
// call; a round that asks for tools (its calls split across chunks) runs them, and the answer
// streams as the model writes it: a real HTTP test through the pipeline, the local upstream
// asking for a tool first.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMiniaskClient } from "../miniprogram/src/miniask";
import { createSseParser, type SseEvent } from "../miniprogram/src/sseParser";
import type { RawConfigFiles } from "../lib/config/loadConfig";
import { type Harness, realConfigFiles, startHarness } from "./support/harness";
import { wxStandIn } from "./support/wxStandIn";

/** About 400 characters, about 70 words: the local upstream streams one word a chunk. */
const LONG_ANSWER = Array.from({ length: 8 }, (_, i) => `Step ${i + 1}: open the app settings, choose the account page and follow the prompt there.`).join(" ").slice(0, 400);

describe("support streamed after its tool round (dev, support_v2)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: "dev" });
  });
  afterAll(() => h.close());

  const streamAsk = async (body: Record<string, unknown>) => {
    const res = await fetch(`${h.url}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await h.token(String(body.userId))}`, "x-miniask-cache": "bypass" },
      body: JSON.stringify({ ...body, stream: true }),
    });
    const events: SseEvent[] = [];
    const parser = createSseParser((e) => events.push(e));
    parser.push(new Uint8Array(await res.arrayBuffer()));
    parser.end();
    return { status: res.status, events };
  };
  const textOf = (events: SseEvent[]) => events.filter((e) => e.event === "delta").map((e) => (JSON.parse(e.data) as { text: string }).text);

  it("runs the tool, then streams a 400-character answer in many deltas", async () => {
    expect(LONG_ANSWER).toHaveLength(400);
    h.upstream.enqueue({ toolCalls: [{ name: "faq_lookup", arguments: '{"query":"reset password"}' }], toolCallPieceChars: 4 }, { content: LONG_ANSWER, chunkDelayMs: 2 });
    const before = h.upstream.requests.length;
    const traceId = `t-support-stream-${randomUUID()}`;
    const { status, events } = await streamAsk({ intent: "support", userId: "u_ss", traceId, input: { question: "How do I reset my password?" } });
    expect(status).toBe(200);
    const deltas = textOf(events);
    expect(deltas.length).toBeGreaterThanOrEqual(5);
    expect(deltas.join("")).toBe(LONG_ANSWER);
    expect(events.at(-1)?.event).toBe("done");
    const done = JSON.parse(events.at(-1)!.data) as Record<string, unknown>;
    expect(done).toMatchObject({ answer: LONG_ANSWER.trim(), profile: "support_v2", cached: false });
    // Two streamed calls offering the tools (rounds are left): the second carries the tool's result.
    const [round, answer, ...more] = h.upstream.requests.slice(before);
    expect(more).toEqual([]);
    expect(round!.body).toMatchObject({ stream: true, tools: expect.any(Array) });
    expect(answer!.body).toMatchObject({ stream: true, tools: expect.any(Array) });
    const sent = answer!.body.messages as { role: string; content: string | null; tool_call_id?: string }[];
    // The call as it came in pieces of 4 characters, put back together.
    expect(sent.at(-2)).toMatchObject({ role: "assistant", tool_calls: [{ id: "call_local_0", function: { name: "faq_lookup", arguments: '{"query":"reset password"}' } }] });
    expect(sent.at(-1)).toMatchObject({ role: "tool", tool_call_id: "call_local_0" });
    expect(sent.at(-1)!.content).toContain("password");
    // The tool call has its log line; the request's line counts both calls' tokens.
    const logs = h.logRecords().filter((r) => r.traceId === traceId);
    expect(logs.find((r) => r.msg === "tool call")).toMatchObject({ tool: "faq_lookup", ok: true });
    const usage = done.usage as { totalTokens: number; completionTokens: number };
    // The answer's 100 completion tokens (local upstream: 4 characters a token) plus the tool round's.
    expect(usage.completionTokens).toBeGreaterThan(100);
    expect(logs.find((r) => r.msg === "request")).toMatchObject({ status: 200, tokens: usage.totalTokens });
  });

  it("streams an answer the model gave without a tool, in one call", async () => {
    h.upstream.enqueue({ content: LONG_ANSWER, chunkDelayMs: 2 });
    const before = h.upstream.requests.length;
    const { status, events } = await streamAsk({ intent: "support", userId: "u_ss", input: { question: "Hello there, who are you?" } });
    expect(status).toBe(200);
    expect(textOf(events).length).toBeGreaterThanOrEqual(5);
    expect(textOf(events).join("")).toBe(LONG_ANSWER);
    expect(h.upstream.requests.slice(before).map((r) => r.body.stream)).toEqual([true]);
  });

  it("runs tool rounds while max_rounds lasts, then asks for the answer without tools", async () => {
    const faq = (query: string) => ({ toolCalls: [{ name: "faq_lookup", arguments: JSON.stringify({ query }) }], toolCallPieceChars: 3 });
    // tools.yaml: max_rounds 3. The model asks every time; the fourth call offers no tools.
    h.upstream.enqueue(faq("refund"), faq("invoice"), faq("password"), { content: LONG_ANSWER });
    const before = h.upstream.requests.length;
    const { status, events } = await streamAsk({ intent: "support", userId: "u_ss", input: { question: "Tell me everything about refunds" } });
    expect(status).toBe(200);
    expect(textOf(events).join("")).toBe(LONG_ANSWER);
    const sent = h.upstream.requests.slice(before);
    expect(sent.map((r) => r.body.tools !== undefined)).toEqual([true, true, true, false]);
    const last = sent.at(-1)!.body.messages as { role: string }[];
    expect(last.filter((m) => m.role === "tool")).toHaveLength(3);
  });

  it("relays what the model says before its tool calls, runs them, and goes on in the same stream", async () => {
    h.upstream.enqueue({ content: "Let me look that up. ", toolCalls: [{ name: "faq_lookup", arguments: '{"query":"refund"}' }], toolCallPieceChars: 5 }, { content: "Refunds take three days." });
    const before = h.upstream.requests.length;
    const { events } = await streamAsk({ intent: "support", userId: "u_ss", input: { question: "How long do refunds take?" } });
    expect(textOf(events).join("")).toBe("Let me look that up. Refunds take three days.");
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ answer: "Let me look that up. Refunds take three days." });
    const second = h.upstream.requests[before + 1]!.body.messages as { role: string; content: string | null }[];
    expect(second.at(-2)).toMatchObject({ role: "assistant", content: "Let me look that up. ", tool_calls: [{ function: { name: "faq_lookup", arguments: '{"query":"refund"}' } }] });
  });

  it("ends the stream with an error event when the round after its text finds no model", async () => {
    h.upstream.enqueue({ content: "Let me look that up. ", toolCalls: [{ name: "faq_lookup", arguments: '{"query":"refund"}' }] }, { status: 400 });
    const { status, events } = await streamAsk({ intent: "support", userId: "u_ss", input: { question: "How long do refunds take, again?" } });
    expect(status).toBe(200);
    expect(textOf(events).join("")).toBe("Let me look that up. ");
    expect(events.at(-1)?.event).toBe("error");
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ error: { code: "model_rejected" } });
  });

  it("fails the stream before it opens when the tool round finds no model: an ordinary error response", async () => {
    h.upstream.enqueue({ status: 400 });
    const res = await fetch(`${h.url}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await h.token("u_ss")}`, "x-miniask-cache": "bypass" },
      body: JSON.stringify({ intent: "support", userId: "u_ss", input: { question: "Where is my order A-1001?" }, stream: true }),
    });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("model_rejected");
  });

  it("lets the client's onText see the answer grow", async () => {
    h.upstream.enqueue({ toolCalls: [{ name: "faq_lookup", arguments: '{"query":"invoice"}' }] }, { content: LONG_ANSWER, chunkDelayMs: 5 });
    const session = { token: await h.token("u_ss_client"), userId: "u_ss_client" };
    const miniask = createMiniaskClient({ baseUrl: h.url, wx: wxStandIn(() => "unused"), session });
    const seen: string[] = [];
    const result = await miniask.askStream("support", { question: `Where is my invoice? ${randomUUID()}` }, { onText: (text) => seen.push(text) });
    expect(result.answer).toBe(LONG_ANSWER.trim());
    expect(seen.length).toBeGreaterThanOrEqual(5);
    // Each text the page saw extends the one before it, up to the whole answer.
    for (const [i, text] of seen.entries()) if (i > 0) expect(text.startsWith(seen[i - 1]!) && text.length > seen[i - 1]!.length).toBe(true);
    expect(seen.at(-1)).toBe(LONG_ANSWER);
  });
});

describe("a streamed answer's cap covers its tool rounds (dev, model_stream_max_ms 1500)", () => {
  let h: Harness;
  beforeAll(async () => {
    const files = structuredClone(realConfigFiles()) as RawConfigFiles & { envPolicy: { environments: { dev: Record<string, unknown> } } };
    files.envPolicy.environments.dev.model_stream_max_ms = 1500;
    h = await startHarness({ env: "dev", rawFiles: files });
  });
  afterAll(() => h.close());

  it("stops the answer once the rounds together pass the cap, though each alone is under it", async () => {
    // A tool round of 1200 ms, then an answer of about 500 ms (72 words, 5 ms apart).
    h.upstream.enqueue({ toolCalls: [{ name: "faq_lookup", arguments: '{"query":"refund"}' }], delayMs: 1200 }, { content: LONG_ANSWER, chunkDelayMs: 5 });
    const res = await fetch(`${h.url}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await h.token("u_cap")}`, "x-miniask-cache": "bypass" },
      body: JSON.stringify({ intent: "support", userId: "u_cap", input: { question: "How long do refunds take?" }, stream: true }),
    });
    const events: SseEvent[] = [];
    const parser = createSseParser((e) => events.push(e));
    parser.push(new Uint8Array(await res.arrayBuffer()));
    parser.end();
    expect(events.some((e) => e.event === "delta")).toBe(true);
    expect(events.at(-1)?.event).toBe("error");
  });
});
