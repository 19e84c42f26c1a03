// The chain and the stream relay against each provider's double (test/support/providers), over
// real HTTP: what each provider documents it sends, and what miniask makes of it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callModelChain } from "../lib/models/callModelChain";
import type { ModelTarget } from "../lib/models/modelTargets";
import { ProviderRefusal } from "../lib/models/providerVerdict";
import { openModelStream } from "../lib/models/streamModelChain";
import { compilePrices, costOfAttempt } from "../lib/cost/priceBook";
import { extract } from "../lib/intents/extract";
import { generateAnswer } from "../lib/models/generateAnswer";
import { DEEPSEEK_ANSWER, DEEPSEEK_THOUGHT, deepseek, startDeepSeekDouble } from "./support/providers/deepseek";
import { HUNYUAN_ANSWER, hunyuan, startHunyuanDouble } from "./support/providers/hunyuan";
import type { ProviderDouble } from "./support/providers/providerDouble";
import { QWEN_ANSWER, qwen, startQwenDouble } from "./support/providers/qwen";

const request = { messages: [{ role: "user" as const, content: "Question: how do I change my phone number?" }], maxTokens: 400 };

const target = (provider: string, model: string, double: ProviderDouble, extra: Partial<ModelTarget> = {}): ModelTarget => ({
  provider,
  model,
  baseUrl: double.url,
  apiKey: "sk-test-0123456789",
  timeoutMs: 3000,
  jsonSchema: false,
  sendUser: false,
  ...extra,
});

async function textOf(stream: Awaited<ReturnType<typeof openModelStream>>) {
  const it = stream.deltas();
  let text = "";
  let deltas = 0;
  for (;;) {
    const next = await it.next();
    if (next.done) return { text, deltas, totals: next.value };
    text += next.value;
    deltas++;
  }
}

describe("against the provider doubles", () => {
  let ds: ProviderDouble;
  let qw: ProviderDouble;
  let hy: ProviderDouble;
  beforeAll(async () => {
    [ds, qw, hy] = await Promise.all([startDeepSeekDouble(), startQwenDouble(), startHunyuanDouble()]);
  });
  afterAll(async () => {
    await Promise.all([ds.close(), qw.close(), hy.close()]);
  });

  describe("DeepSeek under load", () => {
    it("a whole reply after empty lines is read as the JSON it is", async () => {
      ds.next(deepseek.busy(300, 50));
      const result = await callModelChain([target("deepseek", "deepseek-chat", ds)], request, { budgetMs: 5000 });
      expect(result.text).toBe(DEEPSEEK_ANSWER);
      expect(result.attempts.map((a) => a.outcome)).toEqual(["ok"]);
    });

    it("a stream after `: keep-alive` comments is answered, the comments never reaching the text", async () => {
      ds.next(deepseek.busy(300, 50));
      const opened = await openModelStream([target("deepseek", "deepseek-chat", ds)], request, { budgetMs: 5000 });
      const { text } = await textOf(opened);
      expect(text).toBe(DEEPSEEK_ANSWER);
    });

    it("waits through them only within the call's deadline: past it, the next provider answers", async () => {
      ds.next(deepseek.busy(2000, 50));
      const chain = [target("deepseek", "deepseek-chat", ds, { timeoutMs: 400 }), target("qwen", "qwen-plus", qw)];
      const result = await callModelChain(chain, request, { budgetMs: 5000 });
      expect(result.attempts.map((a) => `${a.provider}:${a.outcome}`)).toEqual(["deepseek:timeout", "qwen:ok"]);
      expect(result.text).toBe(QWEN_ANSWER);
    });
  });

  describe("reasoning_content (deepseek-reasoner, Qwen thinking)", () => {
    it("streamed: the chain of thought never reaches the answer, its tokens are in the usage and the cost", async () => {
      const opened = await openModelStream([target("deepseek", "deepseek-reasoner", ds)], request, { budgetMs: 5000 });
      const { text, totals } = await textOf(opened);
      expect(text).toBe(DEEPSEEK_ANSWER);
      expect(text).not.toContain(DEEPSEEK_THOUGHT.trim().slice(0, 20));
      const answerTokens = Math.ceil(DEEPSEEK_ANSWER.length / 4);
      const thoughtTokens = Math.ceil((DEEPSEEK_THOUGHT.repeat(3).length) / 4);
      expect(totals.usage.completionTokens).toBe(answerTokens + thoughtTokens);
      const prices = compilePrices({ "deepseek-reasoner": { input_per_million: 4, output_per_million: 16 } });
      const charged = costOfAttempt(prices, "deepseek-reasoner", totals.usage);
      const answerOnly = costOfAttempt(prices, "deepseek-reasoner", { promptTokens: totals.usage.promptTokens, completionTokens: answerTokens });
      expect(charged.microYuan).toBeGreaterThan(answerOnly.microYuan!);
    });

    it("whole: the reply's content only, the reasoning tokens counted", async () => {
      const result = await callModelChain([target("deepseek", "deepseek-reasoner", ds)], request, { budgetMs: 5000 });
      expect(result.text).toBe(DEEPSEEK_ANSWER);
      expect(result.usage.completionTokens).toBeGreaterThan(Math.ceil(DEEPSEEK_ANSWER.length / 4));
    });
  });

  describe("usage in a last chunk whose choices is empty (DashScope, include_usage)", () => {
    it("is counted as the provider reported it, not estimated", async () => {
      const opened = await openModelStream([target("qwen", "qwen-plus", qw)], request, { budgetMs: 5000 });
      const { text, totals } = await textOf(opened);
      expect(text).toBe(QWEN_ANSWER);
      const last = qw.requests.at(-1)!;
      expect(last.body.stream_options).toEqual({ include_usage: true });
      // The double's counts (4 per message + a token per 4 characters), not our estimate's.
      expect(totals.usage).toEqual({ promptTokens: 4 + Math.ceil(request.messages[0]!.content.length / 4), completionTokens: Math.ceil(QWEN_ANSWER.length / 4), totalTokens: 4 + Math.ceil(request.messages[0]!.content.length / 4) + Math.ceil(QWEN_ANSWER.length / 4) });
    });
  });

  describe("content refused by the provider's check", () => {
    it.each([
      ["DeepSeek's content_filter", () => ds.next(deepseek.contentFilter()), "deepseek", "deepseek-chat", "deepseek:content_filter"],
      ["Hunyuan's sensitive", () => hy.next(hunyuan.sensitive()), "hunyuan", "hunyuan-turbos-latest", "hunyuan:sensitive"],
    ])("%s: 502 blocked_output naming the check, and the next provider is not asked", async (_name, script, provider, model, category) => {
      script();
      const double = provider === "deepseek" ? ds : hy;
      const before = qw.requests.length;
      const err = await callModelChain([target(provider, model, double), target("qwen", "qwen-plus", qw)], request, { budgetMs: 5000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderRefusal);
      expect(err).toMatchObject({ status: 502, code: "blocked_output", fields: { category } });
      expect(qw.requests.length).toBe(before);
    });
  });

  describe("429", () => {
    it("DashScope's limit_requests moves on to the next provider within the request", async () => {
      qw.next(qwen.rateLimited(1));
      const result = await callModelChain([target("qwen", "qwen-plus", qw), target("deepseek", "deepseek-chat", ds)], request, { budgetMs: 5000 });
      expect(result.attempts.map((a) => `${a.provider}:${a.outcome}`)).toEqual(["qwen:rate_limited", "deepseek:ok"]);
    });
  });

  describe("length", () => {
    it("a reply cut at max_tokens is kept and marked truncated", async () => {
      const result = await callModelChain([target("hunyuan", "hunyuan-turbos-latest", hy)], { ...request, maxTokens: 3 }, { budgetMs: 5000 });
      expect(result.text).toBe(HUNYUAN_ANSWER.slice(0, 12));
      expect(result.truncated).toBe(true);
      const whole = await callModelChain([target("hunyuan", "hunyuan-turbos-latest", hy)], request, { budgetMs: 5000 });
      expect(whole.truncated).toBeUndefined();
    });

    const json = JSON.stringify({ name: "Li Lei", city: "Shenzhen", phone: "13800000000", note: "prefers calls after six in the evening" });
    const extraction = () => {
      const call = extract.prepare({ text: "Li Lei lives in Shenzhen.", fields: ["name", "city", "phone", "note"] }, undefined);
      return { call, request: { messages: call.messages, maxTokens: 20 } };
    };
    const run = (call: ReturnType<typeof extraction>["call"], req: { messages: typeof request.messages; maxTokens: number }) =>
      generateAnswer({ chain: [target("deepseek", "deepseek-chat", ds)], request: req, shapeAnswer: call.shapeAnswer, chainOptions: { budgetMs: 5000 }, guardOutput: () => undefined });

    it("an extract cut mid-JSON is a repair turn, and an error when the repair is cut too: never a half object", async () => {
      const { call, request: req } = extraction();
      ds.next(deepseek.answer({ text: json }), deepseek.answer({ text: json }));
      const before = ds.requests.length;
      const err = await run(call, req).catch((e: unknown) => e);
      expect(ds.requests.length).toBe(before + 2);
      expect(err).toMatchObject({ status: 502, code: "invalid_model_output" });
    });

    it("an extract cut mid-JSON whose repair fits is answered whole", async () => {
      const { call, request: req } = extraction();
      ds.next(deepseek.answer({ text: json }), deepseek.answer({ text: '{"name":"Li Lei","city":"Shenzhen"}' }));
      const produced = await run(call, req);
      expect(produced).toMatchObject({ repaired: true, answer: { name: "Li Lei", city: "Shenzhen", phone: null, note: null } });
    });
  });

  describe("per-provider parameters", () => {
    it("go to their own target only, and DashScope's documented rule for open Qwen3 models is met by enable_thinking: false", async () => {
      hy.next(hunyuan.engineError());
      const chain = [
        target("hunyuan", "hunyuan-turbos-latest", hy, { params: { enable_enhancement: false } }),
        target("qwen", "qwen3-8b", qw, { params: { enable_thinking: false } }),
      ];
      const result = await callModelChain(chain, request, { budgetMs: 5000 });
      expect(result.provider).toBe("qwen");
      expect(hy.requests.at(-1)!.body).toMatchObject({ enable_enhancement: false });
      expect(hy.requests.at(-1)!.body).not.toHaveProperty("enable_thinking");
      expect(qw.requests.at(-1)!.body).toMatchObject({ enable_thinking: false });
      expect(qw.requests.at(-1)!.body).not.toHaveProperty("enable_enhancement");
    });

    it("without it, the open Qwen3 model refuses a whole call (400 InvalidParameter), which stops the chain as any 4xx does", async () => {
      const err = await callModelChain([target("qwen", "qwen3-8b", qw)], request, { budgetMs: 5000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 502, code: "model_rejected" });
    });

    it("cannot replace a field of ours", async () => {
      await callModelChain([target("qwen", "qwen-plus", qw, { params: { model: "qwen-max", max_tokens: 99999 } })], request, { budgetMs: 5000 });
      expect(qw.requests.at(-1)!.body).toMatchObject({ model: "qwen-plus", max_tokens: 400 });
    });
  });
});
