// Streaming over real HTTP: the server's SSE, read raw and through the client module.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEventHandler } from "../lib/http/scfEvent";
import { type SseEvent, createSseParser } from "../miniprogram/src/sseParser";
import { createMiniaskClient } from "../miniprogram/src/miniask";
import { type FakeWechat, startFakeWechat } from "./support/fakeWechat";
import { ARTICLE_TEXT, type Harness, startHarness } from "./support/harness";
import { wxStandIn } from "./support/wxStandIn";

let h: Harness;
let wechat: FakeWechat;
beforeAll(async () => {
  wechat = await startFakeWechat();
  h = await startHarness({ env: "staging", processEnv: { WECHAT_API_BASE: wechat.url } });
});
afterEach(() => h.upstream.setDefault({}));
afterAll(async () => {
  await h.close();
  await wechat.close();
});

async function streamAsk(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(`${h.url}/v1/mini/ask`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${await h.token(String(body.userId))}`, ...headers },
    body: JSON.stringify(body),
  });
  const events: SseEvent[] = [];
  const parser = createSseParser((e) => events.push(e));
  const raw = new Uint8Array(await res.arrayBuffer());
  parser.push(raw);
  parser.end();
  return { status: res.status, headers: res.headers, events, text: new TextDecoder().decode(raw) };
}

const summarize = (extra: Record<string, unknown> = {}) => ({ intent: "summarize", userId: "u_s", traceId: "t-stream", input: { text: ARTICLE_TEXT, maxBullets: 3 }, stream: true, ...extra });

describe("SSE streaming", () => {
  it("streams delta events, then one done with the shaped answer, traceId, profile, model and usage", async () => {
    const { status, headers, events } = await streamAsk(summarize());
    expect(status).toBe(200);
    expect(headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(headers.get("x-trace-id")).toBe("t-stream");
    const deltas = events.filter((e) => e.event === "delta");
    expect(deltas.length).toBeGreaterThan(5);
    const streamed = deltas.map((e) => (JSON.parse(e.data) as { text: string }).text).join("");
    const done = events.at(-1)!;
    expect(done.event).toBe("done");
    const body = JSON.parse(done.data) as Record<string, unknown>;
    expect(body).toMatchObject({ traceId: "t-stream", intent: "summarize", profile: "summarize_v1", model: "local-stand-in:hunyuan-turbos-latest", cached: false });
    expect(body.answer).toBe(streamed.trim().split("\n").slice(0, 3).join("\n"));
    expect((body.usage as { totalTokens: number }).totalTokens).toBeGreaterThan(0);
    expect(h.logRecords().at(-1)).toMatchObject({ traceId: "t-stream", stream: true, status: 200, model: "local-stand-in:hunyuan-turbos-latest" });
  });

  it("streams for Accept: text/event-stream too", async () => {
    const { events } = await streamAsk({ ...summarize(), stream: undefined }, { accept: "text/event-stream" });
    expect(events.at(-1)?.event).toBe("done");
  });

  it("falls back to the next provider when the first fails before its first delta", async () => {
    h.upstream.enqueue({ status: 500 });
    const { status, events } = await streamAsk(summarize({ traceId: "t-fb" }));
    expect(status).toBe(200);
    expect(events.at(-1)?.event).toBe("done");
    expect(h.logRecords().at(-1)).toMatchObject({ provider: "qwen@override", attempts: [{ outcome: "server_error" }, { outcome: "ok" }] });
  });

  it("falls back on a provider that is slow to send its first delta", async () => {
    h.upstream.enqueue({ delayMs: 4000 });
    const { events } = await streamAsk(summarize({ traceId: "t-slow" }));
    expect(events.at(-1)?.event).toBe("done");
    expect(h.logRecords().at(-1)).toMatchObject({ attempts: [{ outcome: "timeout" }, { outcome: "ok" }] });
  });

  it("answers 503 JSON (no stream) when every provider fails before any delta", async () => {
    h.upstream.setDefault({ status: 503 });
    const { status, headers, text } = await streamAsk(summarize({ traceId: "t-down" }));
    expect(status).toBe(503);
    expect(headers.get("content-type")).toContain("application/json");
    expect(JSON.parse(text)).toMatchObject({ error: { code: "model_unavailable" }, traceId: "t-down" });
  });

  it("ends with event: error stream_interrupted when the upstream cuts the stream mid-way", async () => {
    h.upstream.enqueue({ cutStreamAfterChunks: 3 });
    const { status, events } = await streamAsk(summarize({ traceId: "t-cut" }));
    expect(status).toBe(200);
    expect(events.filter((e) => e.event === "delta").length).toBeGreaterThan(0);
    expect(events.at(-1)).toEqual({ event: "error", data: JSON.stringify({ error: { code: "stream_interrupted", message: "the model stopped answering mid-stream" }, traceId: "t-cut" }) });
    expect(h.logRecords().at(-1)).toMatchObject({ traceId: "t-cut", status: 502, code: "stream_interrupted" });
  });

  it("streams a cached answer as one delta and done with cached: true", async () => {
    const question = { intent: "support", userId: "u_s", input: { question: "How do I download my invoice as a PDF file?" } };
    await h.ask(question);
    const { events } = await streamAsk({ ...question, stream: true });
    expect(events.map((e) => e.event)).toEqual(["delta", "done"]);
    expect(JSON.parse(events[1]!.data)).toMatchObject({ cached: true, usage: { totalTokens: 0 } });
  });

  it("answers in one piece through the event-function transport", async () => {
    const handler = createEventHandler(h.built.app.handle);
    const res = await handler(
      { httpMethod: "POST", path: "/v1/mini/ask", headers: { "content-type": "application/json", authorization: `Bearer ${await h.token("u_s")}` }, body: JSON.stringify(summarize()) },
      { request_id: "r" },
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("application/json");
    expect(JSON.parse(res.body)).toMatchObject({ intent: "summarize", cached: false });
  });

  it("reaches the client module through wx.request enableChunked, one byte per chunk", async () => {
    const wx = wxStandIn(() => "ok-openid-stream", { chunkBytes: 1 });
    const client = createMiniaskClient({ baseUrl: h.url, wx });
    const pieces: string[] = [];
    const result = await client.askStream("summarize", { text: "第一句话很重要。第二句话也重要。Third sentence 🚀 here.", maxBullets: 3 }, { onDelta: (t) => pieces.push(t) });
    expect(pieces.join("")).toBe("- 第一句话很重要。\n- 第二句话也重要。\n- Third sentence 🚀 here.");
    expect(result.answer).toBe("- 第一句话很重要。\n- 第二句话也重要。\n- Third sentence 🚀 here.");
    expect(wx.requests.at(-1)).toMatchObject({ enableChunked: true, responseType: "arraybuffer" });
  });

  it("rejects in the client with the server's code for a refused stream", async () => {
    const client = createMiniaskClient({ baseUrl: h.url, wx: wxStandIn(() => "ok-openid-stream2") });
    await expect(client.askStream("summarize", { text: "x", maxBullets: 50 }, { traceId: "t-bad" })).rejects.toMatchObject({ code: "invalid_input", status: 400, traceId: "t-bad" });
  });

  it("rejects in the client with stream_interrupted when the stream breaks", async () => {
    h.upstream.enqueue({ cutStreamAfterChunks: 2 });
    const client = createMiniaskClient({ baseUrl: h.url, wx: wxStandIn(() => "ok-openid-stream3") });
    await expect(client.askStream("summarize", { text: `${ARTICLE_TEXT} cut`, maxBullets: 3 })).rejects.toMatchObject({ code: "stream_interrupted" });
  });
});
