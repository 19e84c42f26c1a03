// The chain's walk on a fake clock (injected now, sleep and random; attempts that fail as the
// wire's errors do), how failures are classified, and one provider call against the local
// upstream over real HTTP: empty, tool-call-only and over-long replies, trace headers, usage.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AppError } from "../lib/appError";
import type { Admission } from "../lib/breaker/circuitBreaker";
import { ModelCallError, ModelTimeout, UnusableReply, callModelChain, classifyModelError, walkChain } from "../lib/models/callModelChain";
import { maxReplyChars } from "../lib/models/deadline";
import type { ModelTarget } from "../lib/models/modelTargets";
import { WireError } from "../lib/openaiWire";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";
import { rejection } from "./support/rejection";

const target = (provider: string, timeoutMs = 1000): ModelTarget => ({ provider, model: `${provider}-m`, baseUrl: "http://127.0.0.1:1", apiKey: "k", timeoutMs, jsonSchema: false, sendUser: false });
const A = target("a");
const B = target("b");

/** A clock that moves only when the walk sleeps or an attempt takes time. */
function fakeTime(start = 10_000) {
  let t = start;
  const slept: number[] = [];
  return {
    now: () => t,
    advance: (ms: number) => void (t += ms),
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
    },
    slept,
  };
}

type Step = { takesMs?: number; fails?: unknown; value?: string };

/** Scripted attempts: each call takes the next step; records the target and timeout it got. */
function scripted(clock: ReturnType<typeof fakeTime>, steps: Step[]) {
  const calls: { provider: string; timeoutMs: number }[] = [];
  const attempt = async (t: ModelTarget, timeoutMs: number) => {
    calls.push({ provider: t.provider, timeoutMs });
    const step = steps.shift() ?? { fails: new WireError("http", "x", { status: 500 }) };
    clock.advance(step.takesMs ?? 0);
    if (step.fails !== undefined) throw step.fails;
    return step.value ?? `from ${t.provider}`;
  };
  return { attempt, calls };
}

const http = (status: number, retryAfterMs?: number) => new WireError("http", "provider text", { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });

const failureOf = (work: Promise<unknown>) => rejection(work, ModelCallError);

describe("classifyModelError", () => {
  it("maps each wire failure to a kind, keeping status and Retry-After where they matter", () => {
    expect(classifyModelError(new ModelTimeout())).toStrictEqual({ kind: "timeout" });
    expect(classifyModelError(new WireError("timeout", "x", { timeout: "idle" }))).toStrictEqual({ kind: "timeout" });
    expect(classifyModelError(new WireError("connection", "x"))).toStrictEqual({ kind: "connection" });
    expect(classifyModelError(new WireError("aborted", "x"))).toStrictEqual({ kind: "connection" });
    expect(classifyModelError(http(429))).toStrictEqual({ kind: "rate_limited", status: 429 });
    expect(classifyModelError(http(429, 1500))).toStrictEqual({ kind: "rate_limited", status: 429, retryAfterMs: 1500 });
    expect(classifyModelError(http(500))).toStrictEqual({ kind: "server_error", status: 500 });
    expect(classifyModelError(http(503, 2000))).toStrictEqual({ kind: "server_error", status: 503, retryAfterMs: 2000 });
    expect(classifyModelError(http(499))).toStrictEqual({ kind: "rejected", status: 499 });
    expect(classifyModelError(http(400, 1000))).toStrictEqual({ kind: "rejected", status: 400 });
  });

  it("anything else is a bad response: an http error without a status, a bad body, a parse error", () => {
    expect(classifyModelError(new WireError("http", "x"))).toStrictEqual({ kind: "bad_response" });
    expect(classifyModelError(new WireError("bad_response", "x", { status: 200 }))).toStrictEqual({ kind: "bad_response" });
    expect(classifyModelError(new UnusableReply("empty reply"))).toStrictEqual({ kind: "bad_response" });
    expect(classifyModelError(new SyntaxError("Unexpected token"))).toStrictEqual({ kind: "bad_response" });
  });

  it("only a WireError is read for its kind and status: another error that carries them is a bad response", () => {
    const lookalike = Object.assign(new Error("x"), { kind: "connection", status: 429 });
    expect(classifyModelError(lookalike)).toStrictEqual({ kind: "bad_response" });
  });
});

describe("walkChain on a fake clock", () => {
  it("returns the first answer with one ok attempt that took the clock's time, and tells the breaker", async () => {
    const clock = fakeTime();
    const { attempt, calls } = scripted(clock, [{ takesMs: 40, value: "hello" }]);
    const recorded: unknown[] = [];
    const breakers = { admit: () => ({ admission: { allowed: true, probe: true } as Admission, events: [] }), record: (t: ModelTarget, outcome: string, probe: boolean) => void recorded.push([t.provider, outcome, probe]) };
    const result = await walkChain([A, B], { budgetMs: 5000, now: clock.now, sleep: clock.sleep, breakers }, attempt);
    expect(result).toStrictEqual({ value: "hello", target: A, attempts: [{ provider: "a", model: "a-m", outcome: "ok", ms: 40 }] });
    expect(calls).toEqual([{ provider: "a", timeoutMs: 1000 }]);
    expect(recorded).toEqual([["a", "ok", true]]);
  });

  it("moves on after a retryable failure, recording kind, status and time of each", async () => {
    const clock = fakeTime();
    const { attempt } = scripted(clock, [{ takesMs: 30, fails: http(503) }, { takesMs: 20 }]);
    const recorded: unknown[] = [];
    const breakers = { admit: () => ({ admission: { allowed: true, probe: false } as Admission, events: [] }), record: (t: ModelTarget, outcome: string, probe: boolean) => void recorded.push([t.provider, outcome, probe]) };
    const result = await walkChain([A, B], { budgetMs: 5000, now: clock.now, sleep: clock.sleep, breakers }, attempt);
    expect(result.attempts).toStrictEqual([
      { provider: "a", model: "a-m", outcome: "server_error", status: 503, ms: 30 },
      { provider: "b", model: "b-m", outcome: "ok", ms: 20 },
    ]);
    expect(recorded).toEqual([
      ["a", "server_error", false],
      ["b", "ok", false],
    ]);
  });

  it("a failure without a status records none", async () => {
    const clock = fakeTime();
    const { attempt } = scripted(clock, [{ fails: new WireError("connection", "reset") }, {}]);
    const result = await walkChain([A, B], { budgetMs: 5000, now: clock.now, sleep: clock.sleep }, attempt);
    expect(result.attempts[0]).toStrictEqual({ provider: "a", model: "a-m", outcome: "connection", ms: 0 });
  });

  it("stops at a rejected request: 502 model_rejected, the next provider never called", async () => {
    const clock = fakeTime();
    const { attempt, calls } = scripted(clock, [{ fails: http(400) }]);
    const recorded: unknown[] = [];
    const breakers = { admit: () => ({ admission: { allowed: true, probe: false } as Admission, events: [] }), record: (t: ModelTarget, outcome: string) => void recorded.push([t.provider, outcome]) };
    const err = await failureOf(walkChain([A, B], { budgetMs: 5000, now: clock.now, sleep: clock.sleep, breakers }, attempt));
    expect(err).toMatchObject({ status: 502, code: "model_rejected", message: "the model provider rejected the request" });
    expect(err.attempts).toStrictEqual([{ provider: "a", model: "a-m", outcome: "rejected", status: 400, ms: 0 }]);
    expect(calls).toHaveLength(1);
    expect(recorded).toEqual([["a", "rejected"]]);
    // No summary of failed providers: the provider answered, it only refused.
    expect(err.summary).toBe("");
  });

  it("an AppError from the attempt (the client went away) passes through, recorded as aborted", async () => {
    const clock = fakeTime();
    const gone = new AppError(499, "client_closed", "the client went away");
    const { attempt, calls } = scripted(clock, [{ fails: gone }]);
    const recorded: unknown[] = [];
    const breakers = { admit: () => ({ admission: { allowed: true, probe: true } as Admission, events: [] }), record: (t: ModelTarget, outcome: string, probe: boolean) => void recorded.push([t.provider, outcome, probe]) };
    await expect(walkChain([A, B], { budgetMs: 5000, now: clock.now, sleep: clock.sleep, breakers }, attempt)).rejects.toBe(gone);
    expect(calls).toHaveLength(1);
    expect(recorded).toEqual([["a", "aborted", true]]);
  });

  it("an AppError passes through without breakers too", async () => {
    const clock = fakeTime();
    const gone = new AppError(499, "client_closed", "the client went away");
    await expect(walkChain([A, B], { budgetMs: 5000, now: clock.now, sleep: clock.sleep }, scripted(clock, [{ fails: gone }]).attempt)).rejects.toBe(gone);
  });

  it("two rounds by default, then 503 model_unavailable naming each attempt's kind", async () => {
    const clock = fakeTime();
    const { attempt, calls } = scripted(clock, []);
    const err = await failureOf(walkChain([A, B], { budgetMs: 60_000, now: clock.now, sleep: clock.sleep, random: () => 0.5 }, attempt));
    expect(err).toMatchObject({ status: 503, code: "model_unavailable", message: "no model could answer right now; try again shortly", summary: "no model could answer (a/a-m: server_error, b/b-m: server_error, a/a-m: server_error, b/b-m: server_error)" });
    expect(calls).toHaveLength(4);
    // One backoff between the two rounds: the default 200 ms at jitter 1.0.
    expect(clock.slept).toEqual([200]);
  });

  it("maxRounds bounds the passes; backoff doubles each round with jitter from random()", async () => {
    const clock = fakeTime();
    const { calls, attempt } = scripted(clock, []);
    const randoms = [0, 0.25];
    await failureOf(walkChain([A], { budgetMs: 60_000, maxRounds: 3, backoffMs: 100, now: clock.now, sleep: clock.sleep, random: () => randoms.shift() ?? 0 }, attempt));
    expect(calls).toHaveLength(3);
    expect(clock.slept).toEqual([50, 150]); // 100 * 1 * (0.5 + 0), 100 * 2 * (0.5 + 0.25)
    const once = fakeTime();
    await failureOf(walkChain([A], { budgetMs: 60_000, maxRounds: 1, now: once.now, sleep: once.sleep }, scripted(once, []).attempt));
    expect(once.slept).toEqual([]);
  });

  it("no backoff that would reach the deadline: the walk ends instead", async () => {
    const clock = fakeTime();
    // The first round takes 800 of 1000 ms; a 200 ms backoff would end exactly at the deadline.
    const { attempt, calls } = scripted(clock, [{ takesMs: 800, fails: http(500) }]);
    await failureOf(walkChain([A], { budgetMs: 1000, now: clock.now, sleep: clock.sleep, random: () => 0.5 }, attempt));
    expect(calls).toHaveLength(1);
    expect(clock.slept).toEqual([]);
    // One millisecond less and it backs off, then tries again with what is left.
    const more = fakeTime();
    const second = scripted(more, [{ takesMs: 799, fails: http(500) }, { value: "late" }]);
    const result = await walkChain([A], { budgetMs: 1000, now: more.now, sleep: more.sleep, random: () => 0.5, minAttemptMs: 1 }, second.attempt);
    expect(result.value).toBe("late");
    expect(more.slept).toEqual([200]);
    expect(second.calls[1]).toEqual({ provider: "a", timeoutMs: 1 });
  });

  it("gives a target what is left of the budget when that is less than its own timeout", async () => {
    const clock = fakeTime();
    const { attempt, calls } = scripted(clock, [{ takesMs: 600, fails: http(500) }, {}]);
    await walkChain([A, B], { budgetMs: 1500, now: clock.now, sleep: clock.sleep }, attempt);
    expect(calls).toEqual([
      { provider: "a", timeoutMs: 1000 },
      { provider: "b", timeoutMs: 900 },
    ]);
  });

  it("skips a target when less than minAttemptMs (default 100) is left; exactly that much is enough", async () => {
    const clock = fakeTime();
    const { attempt } = scripted(clock, [{ takesMs: 60, fails: http(500) }]);
    const err = await failureOf(walkChain([A, B], { budgetMs: 159, maxRounds: 1, now: clock.now, sleep: clock.sleep }, attempt));
    expect(err.attempts[1]).toStrictEqual({ provider: "b", model: "b-m", outcome: "skipped", reason: "budget_left", ms: 0 });
    const exact = fakeTime();
    const run = scripted(exact, [{ takesMs: 60, fails: http(500) }, { value: "b answers" }]);
    expect((await walkChain([A, B], { budgetMs: 160, maxRounds: 1, now: exact.now, sleep: exact.sleep }, run.attempt)).value).toBe("b answers");
    // A caller's own minimum.
    const own = fakeTime();
    const tight = scripted(own, [{ takesMs: 60, fails: http(500) }]);
    const skipped = await failureOf(walkChain([A, B], { budgetMs: 1000, maxRounds: 1, minAttemptMs: 941, now: own.now, sleep: own.sleep }, tight.attempt));
    expect(skipped.attempts.map((a) => a.outcome)).toEqual(["server_error", "skipped"]);
  });

  it("a spent budget ends the walk without a skipped entry", async () => {
    const clock = fakeTime();
    const { attempt } = scripted(clock, [{ takesMs: 1000, fails: new WireError("timeout", "deadline", { timeout: "deadline" }) }]);
    const err = await failureOf(walkChain([A, B], { budgetMs: 1000, now: clock.now, sleep: clock.sleep }, attempt));
    expect(err.attempts.map((a) => a.outcome)).toEqual(["timeout"]);
  });

  it("no budget at all: no attempt, and the message says so", async () => {
    const clock = fakeTime();
    const { attempt, calls } = scripted(clock, []);
    const err = await failureOf(walkChain([A, B], { budgetMs: 0, now: clock.now, sleep: clock.sleep }, attempt));
    expect(calls).toEqual([]);
    expect((err as ModelCallError).summary).toBe("no model could answer (latency budget spent before any attempt)");
    expect(err.attempts).toEqual([]);
  });

  it("skips a target whose breaker is open or whose probe is in flight, saying which", async () => {
    const clock = fakeTime();
    const gates: Record<string, Admission> = {
      a: { allowed: false, reason: "open", untilMs: 20_000, detail: "5 failures" },
      b: { allowed: false, reason: "probe_in_flight", untilMs: 20_000, detail: "probe" },
    };
    const recorded: unknown[] = [];
    const breakers = { admit: (t: ModelTarget) => ({ admission: gates[t.provider] ?? { allowed: true, probe: false }, events: [] }), record: (t: ModelTarget, outcome: string) => void recorded.push([t.provider, outcome]) };
    const { attempt, calls } = scripted(clock, []);
    const err = await failureOf(walkChain([A, B], { budgetMs: 5000, maxRounds: 1, now: clock.now, sleep: clock.sleep, breakers }, attempt));
    expect(err.attempts).toStrictEqual([
      { provider: "a", model: "a-m", outcome: "skipped", reason: "breaker_open", ms: 0 },
      { provider: "b", model: "b-m", outcome: "skipped", reason: "breaker_probe_in_flight", ms: 0 },
    ]);
    expect(calls).toEqual([]);
    expect(recorded).toEqual([]);
  });

  it("waits out a Retry-After before calling the same target again, inside the budget", async () => {
    const clock = fakeTime();
    const { attempt, calls } = scripted(clock, [{ fails: http(429, 1000) }, { value: "after" }]);
    const result = await walkChain([A], { budgetMs: 5000, now: clock.now, sleep: clock.sleep, random: () => 0.5 }, attempt);
    expect(result.value).toBe("after");
    // The round's backoff of 200 ms, then the 800 ms left of the Retry-After.
    expect(clock.slept).toEqual([200, 800]);
    expect(calls).toHaveLength(2);
  });

  it("no wait when the Retry-After has passed by the next round, however exactly", async () => {
    const clock = fakeTime();
    const { attempt } = scripted(clock, [{ fails: http(429, 200) }, { value: "after" }]);
    await walkChain([A], { budgetMs: 5000, now: clock.now, sleep: clock.sleep, random: () => 0.5 }, attempt);
    expect(clock.slept).toEqual([200]);
  });

  it("a Retry-After that would end at or past the deadline skips the target", async () => {
    const clock = fakeTime();
    // Backoff 200 ms, then 1000 - 200 = 800 ms of Retry-After left: it would end exactly at the 1000 ms deadline.
    const { attempt, calls } = scripted(clock, [{ fails: http(503, 1000) }]);
    const err = await failureOf(walkChain([A], { budgetMs: 1000, now: clock.now, sleep: clock.sleep, random: () => 0.5 }, attempt));
    expect(err.attempts).toStrictEqual([
      { provider: "a", model: "a-m", outcome: "server_error", status: 503, ms: 0 },
      { provider: "a", model: "a-m", outcome: "retry_after_exceeds_budget", ms: 0 },
    ]);
    expect(calls).toHaveLength(1);
    expect(clock.slept).toEqual([200]);
  });

  it("without an injected sleep, the backoff waits on a real timer", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout"] });
    try {
      const clock = fakeTime();
      const { attempt, calls } = scripted(clock, []);
      let settled = false;
      const walk = walkChain([A], { budgetMs: 60_000, now: clock.now, random: () => 0.5 }, attempt).finally(() => void (settled = true));
      walk.catch(() => undefined);
      await vi.advanceTimersByTimeAsync(199);
      expect(calls).toHaveLength(1);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await expect(walk).rejects.toBeInstanceOf(ModelCallError);
      expect(calls).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("one provider call over HTTP (local upstream)", () => {
  let up: LocalUpstream;
  let A2: ModelTarget;
  let B2: ModelTarget;
  const request = { messages: [{ role: "user" as const, content: "Question: where is my order?" }], maxTokens: 100 };
  beforeAll(async () => {
    up = await startLocalUpstream();
    A2 = { ...target("first", 5000), baseUrl: up.url };
    B2 = { ...target("second", 5000), baseUrl: up.url };
  });
  afterEach(() => up.setDefault({}));
  afterAll(() => up.close());

  it("returns the text, the model the provider names, its usage and the provider", async () => {
    up.enqueue({ content: "Your order ships today." });
    const result = await callModelChain([A2], request, { budgetMs: 5000 });
    const sent = up.requests.at(-1);
    expect(result).toStrictEqual({
      text: "Your order ships today.",
      toolCalls: [],
      model: "local-stand-in:first-m",
      usage: { promptTokens: expect.any(Number), completionTokens: expect.any(Number), totalTokens: expect.any(Number) },
      provider: "first",
      attempts: [{ provider: "first", model: "first-m", outcome: "ok", ms: expect.any(Number) }],
    });
    expect(result.usage.totalTokens).toBe(result.usage.promptTokens + result.usage.completionTokens);
    expect(result.usage.completionTokens).toBeGreaterThan(0);
    expect(sent?.traceId).toBeUndefined();
  });

  it("takes the usage the provider reports when it is believable", async () => {
    up.enqueue({ content: "Short.", usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } });
    const result = await callModelChain([A2], request, { budgetMs: 5000 });
    expect(result.usage).toStrictEqual({ promptTokens: 7, completionTokens: 3, totalTokens: 10 });
  });

  it("sends the trace id as X-Trace-Id when given one", async () => {
    await callModelChain([A2], request, { budgetMs: 5000, trace: { traceId: "trace-42" } });
    expect(up.requests.at(-1)?.traceId).toBe("trace-42");
  });

  it("an empty reply is unusable: the next provider answers", async () => {
    up.enqueue({ content: "" });
    const result = await callModelChain([A2, B2], request, { budgetMs: 5000 });
    expect(result.provider).toBe("second");
    expect(result.attempts.map((a) => a.outcome)).toEqual(["bad_response", "ok"]);
  });

  it("a reply of tool calls only is an answer, its text empty", async () => {
    up.enqueue({ toolCalls: [{ name: "order_status", arguments: '{"order":"SO1"}' }] });
    const result = await callModelChain([A2], request, { budgetMs: 5000 });
    expect(result.text).toBe("");
    expect(result.toolCalls).toEqual([{ id: "call_local_0", name: "order_status", arguments: '{"order":"SO1"}' }]);
  });

  it("a reply longer than max_tokens allows is unusable; exactly that long is fine", async () => {
    const limit = maxReplyChars(request.maxTokens);
    up.enqueue({ content: "x".repeat(limit + 1) });
    const over = await callModelChain([A2, B2], request, { budgetMs: 5000 });
    expect(over.attempts.map((a) => a.outcome)).toEqual(["bad_response", "ok"]);
    up.enqueue({ content: "x".repeat(limit) });
    expect((await callModelChain([A2], request, { budgetMs: 5000 })).text).toHaveLength(limit);
  });

  it("tool-call arguments may use the 64 KiB the body cap allows beyond the text's share", async () => {
    // max_tokens 100: text up to 16,384 characters, a body up to 4 bytes each plus 64 KiB.
    const args = JSON.stringify({ note: "x".repeat(100_000) });
    up.enqueue({ toolCalls: [{ name: "order_status", arguments: args }] });
    const result = await callModelChain([A2], request, { budgetMs: 5000 });
    expect(result.toolCalls[0]?.arguments).toBe(args);
  });

  it("reads a long Chinese answer whole: the body cap counts bytes, up to 4 a character", async () => {
    const big = { ...request, maxTokens: 2000 };
    const text = "答".repeat(maxReplyChars(big.maxTokens));
    up.enqueue({ content: text });
    expect((await callModelChain([A2], big, { budgetMs: 5000 })).text).toBe(text);
  });
});
