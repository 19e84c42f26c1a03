// The chain and the stream relay against each provider's double (test/support/providers), over
// real HTTP: what each provider documents it sends, and what miniask makes of it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelRequest } from "../lib/chat/types";
import { createBreakerHub } from "../lib/breaker/breakerHub";
import { defaultBreakerSettings } from "../lib/breaker/breakerSettings";
import { MAX_RETRY_AFTER_HOLD_MS, callModelChain } from "../lib/models/callModelChain";
import { createLogger } from "../lib/observability/logger";
import { stream } from "../lib/openaiWire";
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

  describe("refused while streaming", () => {
    const chainOf = (first: ProviderDouble, provider: string, model: string) => [target(provider, model, first), target("deepseek", "deepseek-chat", ds)];

    it("DashScope's input refusal: 422 blocked_input before anything was sent, DeepSeek never asked", async () => {
      qw.next(qwen.inputRefused());
      const before = ds.requests.length;
      const err = await openModelStream(chainOf(qw, "qwen", "qwen-plus"), request, { budgetMs: 5000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 422, code: "blocked_input", fields: { category: "qwen:data_inspection_failed" } });
      expect(ds.requests.length).toBe(before);
    });

    it("DashScope's error event before any text: 502 blocked_output, DeepSeek never asked", async () => {
      qw.next(qwen.outputRefused(""));
      const before = ds.requests.length;
      const err = await openModelStream(chainOf(qw, "qwen", "qwen-plus"), request, { budgetMs: 5000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 502, code: "blocked_output", fields: { category: "qwen:data_inspection_failed" } });
      expect(ds.requests.length).toBe(before);
    });

    it.each([
      ["DashScope's error event", () => qw.next(qwen.outputRefused("Sure, here is how")), "qwen", "qwen-plus", "qwen:data_inspection_failed"],
      ["Hunyuan's finish_reason sensitive", () => hy.next(hunyuan.sensitive("好的，步骤如下")), "hunyuan", "hunyuan-turbos-latest", "hunyuan:sensitive"],
      ["DeepSeek's finish_reason content_filter", () => ds.next(deepseek.contentFilter("Here is what")), "deepseek", "deepseek-chat", "deepseek:content_filter"],
    ])("%s after some text: the stream ends in 502 blocked_output (not stream_interrupted)", async (_name, script, provider, model, category) => {
      script();
      const double = provider === "qwen" ? qw : provider === "hunyuan" ? hy : ds;
      const opened = await openModelStream([target(provider, model, double)], request, { budgetMs: 5000 });
      const err = await textOf(opened).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 502, code: "blocked_output", fields: { category } });
    });

    it("a stream cut at max_tokens is marked truncated", async () => {
      const cut = await textOf(await openModelStream([target("qwen", "qwen-plus", qw)], { ...request, maxTokens: 3 }, { budgetMs: 5000 }));
      expect(cut.text).toBe(QWEN_ANSWER.slice(0, 12));
      expect(cut.totals.truncated).toBe(true);
      const whole = await textOf(await openModelStream([target("qwen", "qwen-plus", qw)], request, { budgetMs: 5000 }));
      expect(whole.totals.truncated).toBeUndefined();
    });
  });

  describe("DeepSeek's insufficient_system_resource", () => {
    it("whole: a failure of the target, the next provider answers", async () => {
      ds.next(deepseek.interrupted("You can change"));
      const result = await callModelChain([target("deepseek", "deepseek-chat", ds), target("qwen", "qwen-plus", qw)], request, { budgetMs: 5000 });
      expect(result.attempts.map((a) => `${a.provider}:${a.outcome}`)).toEqual(["deepseek:bad_response", "qwen:ok"]);
      expect(result.text).toBe(QWEN_ANSWER);
    });

    it("streamed before any text: the next provider answers; after some: stream_interrupted", async () => {
      ds.next(deepseek.interrupted(""));
      const fallen = await openModelStream([target("deepseek", "deepseek-chat", ds), target("qwen", "qwen-plus", qw)], request, { budgetMs: 5000 });
      expect(fallen.provider).toBe("qwen");
      expect((await textOf(fallen)).text).toBe(QWEN_ANSWER);
      ds.next(deepseek.interrupted("You can change the phone"));
      const cut = await openModelStream([target("deepseek", "deepseek-chat", ds)], request, { budgetMs: 5000 });
      expect(await textOf(cut).catch((e: unknown) => e)).toMatchObject({ status: 502, code: "stream_interrupted" });
    });
  });

  describe("out of money", () => {
    it.each([
      ["DeepSeek's 402", () => ds.next(deepseek.insufficientBalance()), "deepseek", "deepseek-chat", "out_of_funds:payment_required"],
      ["DashScope's Arrearage", () => qw.next(qwen.arrearage()), "qwen", "qwen-plus", "out_of_funds:Arrearage"],
      ["Hunyuan's exhausted resource pack", () => hy.next(hunyuan.resourcePackExhausted()), "hunyuan", "hunyuan-turbos-latest", "out_of_funds:FailedOperation.ResourcePackExhausted"],
    ])("%s: the next provider answers", async (_name, script, provider, model, reason) => {
      script();
      const double = provider === "qwen" ? qw : provider === "hunyuan" ? hy : ds;
      const other = provider === "qwen" ? target("hunyuan", "hunyuan-turbos-latest", hy) : target("qwen", "qwen-plus", qw);
      const result = await callModelChain([target(provider, model, double), other], request, { budgetMs: 5000 });
      expect(result.provider).toBe(other.provider);
      expect(result.attempts[0]).toMatchObject({ provider, reason });
    });

    it("a broke provider is not asked again in the request's later rounds", async () => {
      ds.next(deepseek.insufficientBalance());
      hy.next(hunyuan.engineError(), hunyuan.engineError());
      const before = ds.requests.length;
      const err = await callModelChain([target("deepseek", "deepseek-chat", ds), target("hunyuan", "hunyuan-turbos-latest", hy)], request, { budgetMs: 5000, backoffMs: 10 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 503, code: "model_unavailable" });
      expect((err as { attempts: { provider: string; outcome: string }[] }).attempts.map((a) => `${a.provider}:${a.outcome}`)).toEqual(["deepseek:rejected", "hunyuan:server_error", "hunyuan:server_error"]);
      expect(ds.requests.length).toBe(before + 1);
    });
  });

  describe("tool calls split across chunks", () => {
    it("arrive through the wire as OpenAI streams them: id and name first, the arguments in fragments that join to the whole", async () => {
      const calls = [
        { id: "call_0", name: "order_status", arguments: '{"orderId":"A123456","detail":true}' },
        { id: "call_1", name: "shipping_eta", arguments: '{"orderId":"A123456"}' },
      ];
      ds.next(deepseek.answer({ text: "", toolCalls: calls }));
      const s = await stream({ baseUrl: ds.url, apiKey: "k" }, { model: "deepseek-chat", messages: request.messages, max_tokens: 400, stream: true });
      const joined: { id?: string; name?: string; arguments: string }[] = [];
      let pieces = 0;
      let finish: string | null | undefined;
      for await (const chunk of s) {
        const choice = chunk.choices?.[0];
        if (choice?.finish_reason) finish = choice.finish_reason;
        for (const part of choice?.delta?.tool_calls ?? []) {
          pieces++;
          const slot = (joined[part.index] ??= { arguments: "" });
          if (part.id) slot.id = part.id;
          if (part.function?.name) slot.name = part.function.name;
          slot.arguments += part.function?.arguments ?? "";
        }
      }
      expect(joined).toEqual(calls);
      expect(pieces).toBeGreaterThan(calls.length * 2);
      expect(finish).toBe("tool_calls");
    });
  });

  describe("429", () => {
    it("DashScope's limit_requests moves on to the next provider within the request", async () => {
      qw.next(qwen.rateLimited(1));
      const result = await callModelChain([target("qwen", "qwen-plus", qw), target("deepseek", "deepseek-chat", ds)], request, { budgetMs: 5000 });
      expect(result.attempts.map((a) => `${a.provider}:${a.outcome}`)).toEqual(["qwen:rate_limited", "deepseek:ok"]);
    });

    it("with breakers, a Retry-After holds the target for that long, an hour at most", async () => {
      const lines: Record<string, unknown>[] = [];
      const breakers = createBreakerHub({ settings: defaultBreakerSettings(), logger: createLogger("info", (l) => lines.push(JSON.parse(l) as Record<string, unknown>)), prefix: "test:providers:" });
      const chain = [target("qwen", "qwen-plus", qw), target("deepseek", "deepseek-chat", ds)];
      qw.next(qwen.rateLimited(30));
      const before = Date.now();
      await callModelChain(chain, request, { budgetMs: 5000, breakers });
      const held = breakers.view().find((v) => v.provider === "qwen")!;
      expect(held).toMatchObject({ state: "open", reason: "retry_after" });
      expect(held.untilMs! - before).toBeGreaterThanOrEqual(30_000);
      expect(held.untilMs! - Date.now()).toBeLessThanOrEqual(30_000);
      const asked = qw.requests.length;
      const next = await callModelChain(chain, request, { budgetMs: 5000, breakers });
      expect(next.attempts[0]).toMatchObject({ provider: "qwen", outcome: "skipped", reason: "breaker_open" });
      expect(qw.requests.length).toBe(asked);
      ds.next(deepseek.rateLimited(86_400));
      await callModelChain([target("deepseek", "deepseek-chat", ds), target("hunyuan", "hunyuan-turbos-latest", hy)], request, { budgetMs: 5000, breakers });
      const capped = breakers.view().find((v) => v.provider === "deepseek")!;
      expect(capped.untilMs! - Date.now()).toBeLessThanOrEqual(MAX_RETRY_AFTER_HOLD_MS);
      expect(capped.untilMs! - Date.now()).toBeGreaterThan(MAX_RETRY_AFTER_HOLD_MS - 5000);
      expect(lines.filter((l) => l.level === "error")).toEqual([]);
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
    const run = (call: ReturnType<typeof extraction>["call"], req: ModelRequest) =>
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
