// Provider faults injected into real local upstreams; the chain must move on, or stop, as designed.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ModelCallError, callModelChain } from "../lib/models/callModelChain";
import { openModelStream } from "../lib/models/streamModelChain";
import type { ModelTarget } from "../lib/models/modelTargets";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";

const request = { messages: [{ role: "user" as const, content: "Question: how do I change my phone number?" }], maxTokens: 100 };

describe("callModelChain", () => {
  let first: LocalUpstream;
  let second: LocalUpstream;
  let chain: ModelTarget[];
  beforeAll(async () => {
    first = await startLocalUpstream();
    second = await startLocalUpstream();
    chain = [
      { provider: "first", model: "m1", baseUrl: first.url, apiKey: "k1", timeoutMs: 300, jsonSchema: false, sendUser: true },
      { provider: "second", model: "m2", baseUrl: second.url, apiKey: "k2", timeoutMs: 300, jsonSchema: false, sendUser: true },
    ];
  });
  afterEach(() => {
    first.setDefault({});
    second.setDefault({});
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it("answers from the first provider when it works", async () => {
    const result = await callModelChain(chain, request, { budgetMs: 5000 });
    expect(result.provider).toBe("first");
    expect(result.model).toBe("local-stand-in:m1");
    expect(result.attempts).toEqual([{ provider: "first", model: "m1", outcome: "ok", ms: expect.any(Number) }]);
    expect(result.text).toContain("change my phone number");
  });

  it.each([
    ["a 500", { status: 500 }, "server_error"],
    ["a 429", { status: 429, retryAfterSeconds: 1 }, "rate_limited"],
    ["a timeout", { delayMs: 1000 }, "timeout"],
    ["malformed JSON", { malformed: true }, "bad_response"],
    ["a reply that is not a completion", { wrongShape: true }, "bad_response"],
    ["a dropped connection", { dropConnection: true }, "connection"],
  ])("falls back to the next provider on %s", async (_name, fault, outcome) => {
    // Twice: a reset on a reused keep-alive socket is retried once on a fresh one (Node's
    // documented remedy for a socket the server closed while idle); a provider that drops
    // the fresh connection too has failed.
    if (outcome === "connection") first.enqueue(fault, fault);
    else first.enqueue(fault);
    const result = await callModelChain(chain, request, { budgetMs: 5000 });
    expect(result.provider).toBe("second");
    expect(result.attempts.map((a) => a.outcome)).toEqual([outcome, "ok"]);
  });

  it("falls back when the first provider refuses connections", async () => {
    const closed = await startLocalUpstream();
    const deadUrl = closed.url;
    await closed.close();
    const result = await callModelChain([{ ...chain[0]!, baseUrl: deadUrl }, chain[1]!], request, { budgetMs: 5000 });
    expect(result.attempts.map((a) => a.outcome)).toEqual(["connection", "ok"]);
  });

  it("does not retry another 4xx: 502 model_rejected, provider text withheld", async () => {
    first.enqueue({ status: 400 });
    const before = second.requests.length;
    const err = await callModelChain(chain, request, { budgetMs: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelCallError);
    expect(err).toMatchObject({ status: 502, code: "model_rejected" });
    expect((err as Error).message).not.toContain("forced status");
    expect(second.requests.length).toBe(before);
  });

  it("answers 503 model_unavailable when every provider fails in every round, listing kinds only", async () => {
    first.setDefault({ status: 503 });
    second.setDefault({ status: 500 });
    const err = (await callModelChain(chain, request, { budgetMs: 5000 }).catch((e: unknown) => e)) as ModelCallError;
    expect(err).toMatchObject({ status: 503, code: "model_unavailable" });
    expect((err as ModelCallError).summary).toBe("no model could answer (first/m1: server_error, second/m2: server_error, first/m1: server_error, second/m2: server_error)");
    expect(err.attempts.map((a) => a.status)).toEqual([503, 500, 503, 500]);
  });

  it("recovers in the second round when every provider failed once", async () => {
    first.enqueue({ status: 503 });
    second.enqueue({ status: 500 });
    const result = await callModelChain(chain, request, { budgetMs: 5000 });
    expect(result.attempts.map((a) => `${a.provider}:${a.outcome}`)).toEqual(["first:server_error", "second:server_error", "first:ok"]);
  });

  it("stops when the total budget is spent", async () => {
    // Without the budget, the 5 s timeout would have let the 1 s reply through.
    first.enqueue({ delayMs: 1000 });
    const err = (await callModelChain([{ ...chain[0]!, timeoutMs: 5000 }, chain[1]!], request, { budgetMs: 250 }).catch((e: unknown) => e)) as ModelCallError;
    expect(err.code).toBe("model_unavailable");
    expect(err.attempts).toHaveLength(1);
    expect(err.attempts[0]?.outcome).toBe("timeout");
  });

  it("honours Retry-After: calls the same provider again once it has passed, inside the budget", async () => {
    const only = [chain[0]!];
    first.enqueue({ status: 429, retryAfterSeconds: 1 });
    const slept: number[] = [];
    const result = await callModelChain(only, request, {
      budgetMs: 5000,
      sleep: (ms) => {
        slept.push(ms);
        return new Promise((r) => setTimeout(r, ms));
      },
      random: () => 0.5,
    });
    expect(result.attempts.map((a) => a.outcome)).toEqual(["rate_limited", "ok"]);
    // The round's backoff (200 ms * jitter 1.0), then the rest of the 1 s Retry-After.
    expect(slept[0]).toBe(200);
    expect(slept[1]).toBeGreaterThan(600);
    expect(slept[1]).toBeLessThanOrEqual(1000);
  });

  it("skips a provider whose Retry-After lies beyond the budget", async () => {
    first.enqueue({ status: 503, retryAfterSeconds: 30 });
    second.enqueue({ status: 500 }, { status: 500 });
    const err = (await callModelChain(chain, request, { budgetMs: 2000, random: () => 0 }).catch((e: unknown) => e)) as ModelCallError;
    expect(err.code).toBe("model_unavailable");
    expect(err.attempts.map((a) => `${a.provider}:${a.outcome}`)).toEqual(["first:server_error", "second:server_error", "first:retry_after_exceeds_budget", "second:server_error"]);
  });

  it("backs off with jitter between rounds, doubling", async () => {
    first.setDefault({ status: 500 });
    second.setDefault({ status: 500 });
    const slept: number[] = [];
    const randoms = [0, 0.99];
    await callModelChain(chain, request, { budgetMs: 60_000, maxRounds: 3, backoffMs: 100, sleep: async (ms) => void slept.push(ms), random: () => randoms.shift() ?? 0 }).catch(() => undefined);
    expect(slept).toHaveLength(2);
    expect(slept[0]).toBeCloseTo(50); // 100 * (0.5 + 0)
    expect(slept[1]).toBeCloseTo(298); // 200 * (0.5 + 0.99)
  });

  it("sends response_format json_schema only to providers that declare it", async () => {
    const jsonSchema = { name: "extraction", schema: { type: "object", properties: { city: { type: ["string", "null"] } }, required: ["city"], additionalProperties: false } };
    const before = first.requests.length;
    await callModelChain([{ ...chain[0]!, jsonSchema: true }], { ...request, jsonSchema }, { budgetMs: 5000 });
    expect(first.requests[before]?.body.response_format).toEqual({ type: "json_schema", json_schema: { ...jsonSchema, strict: true } });
    await callModelChain([chain[0]!], { ...request, jsonSchema }, { budgetMs: 5000 });
    expect(first.requests[before + 1]?.body.response_format).toBeUndefined();
  });

  it("does not believe a provider's negative or fractional usage: it estimates instead", async () => {
    for (const usage of [
      { prompt_tokens: -500000, completion_tokens: -500000, total_tokens: -1000000 },
      { prompt_tokens: 0.5, completion_tokens: 1e300, total_tokens: 1e300 },
    ]) {
      first.enqueue({ usage });
      const result = await callModelChain(chain, request, { budgetMs: 5000 });
      expect(result.provider).toBe("first");
      expect(Number.isSafeInteger(result.usage.totalTokens) && result.usage.totalTokens > 0).toBe(true);
      expect(result.usage.totalTokens).toBe(result.usage.promptTokens + result.usage.completionTokens);
    }
  });

  it("does not believe a stream's negative usage either", async () => {
    first.enqueue({ usage: { prompt_tokens: -5, completion_tokens: -5, total_tokens: -10 } });
    const opened = await openModelStream(chain, request, { budgetMs: 5000 });
    const deltas = opened.deltas();
    let next = await deltas.next();
    while (!next.done) next = await deltas.next();
    expect(next.value.usage.totalTokens).toBeGreaterThan(0);
  });
});
