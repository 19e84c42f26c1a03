// Deadlines everywhere: a body that stalls after its headers is an attempt's timeout (and the
// chain falls back), a trickling stream meets its total cap, an endless answer meets its size
// cap before anything reads it.
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { text as readRequest } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RawConfigFiles } from "../lib/config/loadConfig";
import { loadConfig } from "../lib/config/loadConfig";
import { callModelChain } from "../lib/models/callModelChain";
import { WireError, complete } from "../lib/openaiWire";
import type { ModelTarget } from "../lib/models/modelTargets";
import type { LocalUpstream } from "../scripts/local-upstream/server";
import { type TwoProviders, startTwoProviders } from "./support/twoProviders";
import { ARTICLE_TEXT, type Harness, realConfigFiles, startHarness } from "./support/harness";

type Json = Record<string, any>;

describe("a model call's deadline covers the whole reply", () => {
  let providers: TwoProviders;
  let first: LocalUpstream;
  let chain: ModelTarget[];
  beforeAll(async () => {
    providers = await startTwoProviders();
    ({ first, chain } = providers);
  });
  afterAll(() => providers.close());

  it("falls back when the first provider sends headers and then stalls", async () => {
    first.enqueue({ stallAfterHeadersMs: 5000 });
    const result = await callModelChain(chain, { messages: [{ role: "user", content: "hi" }], maxTokens: 50 }, { budgetMs: 3000 });
    expect(result.provider).toBe("second");
    expect(result.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ["first", "timeout"],
      ["second", "ok"],
    ]);
  });

  it("refuses a reply far longer than max_tokens allows, before shaping reads it, and falls back", async () => {
    first.enqueue({ content: "x".repeat(2_000_000) });
    const result = await callModelChain(chain, { messages: [{ role: "user", content: "hi" }], maxTokens: 50 }, { budgetMs: 3000 });
    expect(result.provider).toBe("second");
    expect(result.attempts[0]).toMatchObject({ provider: "first", outcome: "bad_response" });
  });
});

describe("a stream's total cap", () => {
  let h: Harness;
  beforeAll(async () => {
    const files = structuredClone(realConfigFiles()) as RawConfigFiles & { envPolicy: Json };
    files.envPolicy.environments.staging.model_stream_max_ms = 1000;
    loadConfig(files);
    h = await startHarness({ env: "staging", rawFiles: files });
  });
  afterAll(() => h.close());

  it("ends a trickling stream with an error event at the cap, though no single gap is long", async () => {
    // 60 words, 150 ms apart: 9 s in all, far past the 1 s cap; every gap well under the idle timeout.
    h.upstream.enqueue({ content: Array.from({ length: 60 }, (_, i) => `word${i}`).join(" "), chunkDelayMs: 150 });
    const res = await fetch(`${h.url}/v1/mini/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await h.token("u_trickle")}` },
      body: JSON.stringify({ intent: "summarize", userId: "u_trickle", traceId: "t-trickle", input: { text: ARTICLE_TEXT }, stream: true, profile: "summarize_v1" }),
    });
    const text = await res.text();
    expect(text).toContain("event: delta");
    expect(text).toContain("event: error");
    expect(text).toContain('"code":"stream_interrupted"');
    expect(text).not.toContain("word59");
    const line = h.logRecords().find((r) => r.msg === "request" && r.traceId === "t-trickle");
    expect(line).toMatchObject({ status: 502, code: "stream_interrupted" });
  });
});

describe("the wire's deadlines count the provider's time, not our loop's", () => {
  // A provider that answers a chat completion (OpenAI's documented chat.completion object) and,
  // in the same process, then blocks the loop past the caller's deadlines: the reply is in the
  // caller's socket buffer, unread, when the deadlines come due. Or that answers only late.
  let server: Server;
  let baseUrl: string;
  const completion = { id: "chatcmpl-1", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "on time" }, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } };
  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const late = (JSON.parse(await readRequest(req)) as { model: string }).model === "late";
      const answer = () => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(completion));
      if (late) return void setTimeout(answer, 300);
      answer();
      const end = performance.now() + 120;
      while (performance.now() < end);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const ask = (model: string) => complete({ baseUrl, apiKey: "sk-test" }, { model, messages: [{ role: "user", content: "hi" }] }, { firstByteTimeoutMs: 20, timeoutMs: 60 });

  it("reads a reply that arrived while the loop was blocked past both deadlines", async () => {
    const reply = await ask("on-time");
    expect(reply.choices[0]?.message.content).toBe("on time");
  });

  it("still times out a provider that really is late (first byte)", async () => {
    const err = await ask("late").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WireError);
    expect(err).toMatchObject({ kind: "timeout", timeout: "first_byte" });
  });
});
