// The chain's walk on a fake clock (injected now, sleep and random; attempts that fail as the
// wire's errors do), how failures are classified, and one provider call against the local
// upstream over real HTTP: empty, tool-call-only and over-long replies, trace headers, usage.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AppError } from "../lib/appError";
import type { Admission } from "../lib/breaker/circuitBreaker";
import { MAX_RETRY_AFTER_HOLD_MS, ModelCallError, ModelTimeout, OUT_OF_FUNDS_HOLD_MS, UnusableReply, callModelChain, classifyModelError, walkChain } from "../lib/models/callModelChain";
import { maxReplyChars } from "../lib/models/deadline";
import { ProviderRefusal } from "../lib/models/providerVerdict";
import type { ModelTarget } from "../lib/models/modelTargets";
import { WireError } from "../lib/openaiWire";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";
import { completionBody, usageOf, writeJson } from "./support/providers/openaiShapes";
import { type ProviderDouble, startProviderDouble } from "./support/providers/providerDouble";
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

/** A wire error carrying the provider's own code (and a moderation message's side), as the wire keeps them. */
const coded = (status: number, providerCode: string, providerSide?: "input" | "output") => new WireError("http", "provider text", { status, providerCode, ...(providerSide ? { providerSide } : {}) });

/** Breakers that admit everything and write down each record and hold (a hold reads `this`, as the hub's does). */
function notingBreakers(probe = false) {
  return {
    recorded: [] as unknown[],
    held: [] as unknown[],
    admit: () => ({ admission: { allowed: true, probe } as Admission, events: [] }),
    record(t: ModelTarget, outcome: string, p: boolean, who?: string) {
      this.recorded.push([t.provider, outcome, p, who]);
    },
    hold(t: ModelTarget, reason: string, untilMs: number, detail: string) {
      this.held.push([t.provider, reason, untilMs, detail]);
    },
  };
}

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

describe("walkChain: what the provider's own code says", () => {
  it("a moderation refusal of the input is 422 blocked_input naming the provider's check; no next provider, counted as answered", async () => {
    const clock = fakeTime();
    const { attempt, calls } = scripted(clock, [{ takesMs: 25, fails: coded(400, "data_inspection_failed", "input") }]);
    const breakers = notingBreakers(true);
    const err = await rejection(walkChain([A, B], { budgetMs: 5000, now: clock.now, sleep: clock.sleep, breakers, who: "u1" }, attempt), ProviderRefusal);
    expect(err).toMatchObject({ status: 422, code: "blocked_input", provider: "a", side: "input", check: "data_inspection_failed" });
    expect(err.message).toContain("(a:data_inspection_failed)");
    expect(calls).toEqual([{ provider: "a", timeoutMs: 1000 }]);
    expect(breakers.recorded).toEqual([["a", "rejected", true, undefined]]);
    expect(breakers.held).toEqual([]);
  });

  it("a refusal of the output is 502 blocked_output; without breakers it still stops the walk", async () => {
    const clock = fakeTime();
    const { attempt, calls } = scripted(clock, [{ fails: coded(400, "data_inspection_failed", "output") }]);
    const err = await rejection(walkChain([A, B], { budgetMs: 5000, now: clock.now, sleep: clock.sleep }, attempt), ProviderRefusal);
    expect(err).toMatchObject({ status: 502, code: "blocked_output", check: "data_inspection_failed" });
    expect(calls).toHaveLength(1);
  });

  it("a ProviderRefusal the attempt throws (a reply's finish_reason) passes through as it is", async () => {
    const clock = fakeTime();
    const refused = new ProviderRefusal("a", "output", "content_filter");
    const breakers = notingBreakers();
    await expect(walkChain([A, B], { budgetMs: 5000, now: clock.now, sleep: clock.sleep, breakers }, scripted(clock, [{ fails: refused }]).attempt)).rejects.toBe(refused);
    expect(breakers.recorded).toEqual([["a", "rejected", false, undefined]]);
  });

  it("a refusal code with no side named is the input's; an earlier provider's failure stays recorded", async () => {
    const clock = fakeTime();
    const seen: unknown[] = [];
    const breakers = { ...notingBreakers(), record: (t: ModelTarget, outcome: string) => void seen.push([t.provider, outcome]) };
    const first = scripted(clock, [{ takesMs: 30, fails: new WireError("http", "x", { status: 503 }) }, { takesMs: 40, fails: coded(400, "content_filter") }]);
    const err = await rejection(walkChain([A, B], { budgetMs: 5000, now: clock.now, sleep: clock.sleep, breakers }, first.attempt), ProviderRefusal);
    // No side named: the input's.
    expect(err).toMatchObject({ status: 422, code: "blocked_input", provider: "b", check: "content_filter" });
    expect(seen).toEqual([
      ["a", "server_error"],
      ["b", "rejected"],
    ]);
  });

  it("out of funds (402): held open for 30 days, the next provider asked, this one not asked again in the request", async () => {
    const clock = fakeTime();
    const { attempt, calls } = scripted(clock, [{ takesMs: 15, fails: http(402) }, { fails: http(500) }, { value: "b at last" }]);
    const breakers = notingBreakers();
    const result = await walkChain([A, B], { budgetMs: 60_000, now: clock.now, sleep: clock.sleep, random: () => 0.5, breakers, who: "u1" }, attempt);
    expect(result.value).toBe("b at last");
    expect(calls.map((c) => c.provider)).toEqual(["a", "b", "b"]);
    expect(result.attempts[0]).toStrictEqual({ provider: "a", model: "a-m", outcome: "rejected", status: 402, reason: "out_of_funds:payment_required", ms: 15 });
    expect(breakers.held).toEqual([["a", "out_of_funds", 10_015 + OUT_OF_FUNDS_HOLD_MS, "payment_required"]]);
    expect(OUT_OF_FUNDS_HOLD_MS).toBe(30 * 24 * 60 * 60 * 1000);
    // Not a breaker failure of a: only b's outcomes are recorded.
    expect(breakers.recorded).toEqual([
      ["b", "server_error", false, "u1"],
      ["b", "ok", false, undefined],
    ]);
  });

  it("DashScope's Arrearage (a 400) and Hunyuan's arrears are money, not a rejected request: the walk goes on", async () => {
    const clock = fakeTime();
    const { attempt, calls } = scripted(clock, [{ fails: coded(400, "Arrearage") }, { fails: coded(400, "FailedOperation.ServiceStopArrears") }]);
    const err = await failureOf(walkChain([A, B], { budgetMs: 60_000, now: clock.now, sleep: clock.sleep, random: () => 0.5 }, attempt));
    expect(err).toMatchObject({ status: 503, code: "model_unavailable" });
    expect(err.attempts.map((a) => a.reason)).toEqual(["out_of_funds:Arrearage", "out_of_funds:FailedOperation.ServiceStopArrears"]);
    // Neither is asked in the second round.
    expect(calls).toHaveLength(2);
  });

  it("out of funds with breakers that cannot hold: skipped in the request, nothing recorded", async () => {
    const clock = fakeTime();
    const recorded: unknown[] = [];
    const breakers = { admit: () => ({ admission: { allowed: true, probe: false } as Admission, events: [] }), record: (t: ModelTarget, outcome: string) => void recorded.push([t.provider, outcome]) };
    const { attempt } = scripted(clock, [{ fails: http(402) }, {}]);
    const result = await walkChain([A, B], { budgetMs: 5000, now: clock.now, sleep: clock.sleep, breakers }, attempt);
    expect(result.target).toBe(B);
    expect(recorded).toEqual([["b", "ok"]]);
  });

  it("a Retry-After holds the target through the breakers until then, instead of a failure", async () => {
    const clock = fakeTime();
    const { attempt } = scripted(clock, [{ takesMs: 10, fails: http(429, 1500) }, { takesMs: 10, fails: http(503, 2001) }, {}]);
    const breakers = notingBreakers();
    await walkChain([A, B], { budgetMs: 60_000, now: clock.now, sleep: clock.sleep, random: () => 0.5, breakers, who: "u1" }, attempt);
    expect(breakers.held).toEqual([
      ["a", "retry_after", 10_010 + 1500, "Retry-After 2 s (rate_limited)"],
      ["b", "retry_after", 10_020 + 2001, "Retry-After 3 s (server_error)"],
    ]);
    expect(breakers.recorded).toEqual([["a", "ok", false, undefined]]);
  });

  it("a Retry-After past an hour holds for an hour only", async () => {
    const clock = fakeTime();
    const breakers = notingBreakers();
    const twoHours = 2 * MAX_RETRY_AFTER_HOLD_MS;
    await failureOf(walkChain([A], { budgetMs: 5000, maxRounds: 1, now: clock.now, sleep: clock.sleep, breakers }, scripted(clock, [{ fails: http(429, twoHours) }]).attempt));
    expect(breakers.held).toEqual([["a", "retry_after", 10_000 + 3_600_000, "Retry-After 7200 s (rate_limited)"]]);
    expect(MAX_RETRY_AFTER_HOLD_MS).toBe(3_600_000);
  });

  it("a Retry-After without a hold is recorded as the failure it is, for whom", async () => {
    const clock = fakeTime();
    const recorded: unknown[] = [];
    const breakers = { admit: () => ({ admission: { allowed: true, probe: true } as Admission, events: [] }), record: (t: ModelTarget, outcome: string, probe: boolean, who?: string) => void recorded.push([t.provider, outcome, probe, who]) };
    await failureOf(walkChain([A], { budgetMs: 5000, maxRounds: 1, now: clock.now, sleep: clock.sleep, breakers, who: "u1" }, scripted(clock, [{ fails: http(429, 1000) }]).attempt));
    expect(recorded).toEqual([["a", "rate_limited", true, "u1"]]);
    // And with no breakers at all the walk still waits it out.
    const bare = fakeTime();
    const run = scripted(bare, [{ fails: http(429, 1000) }, { value: "after" }]);
    expect((await walkChain([A], { budgetMs: 5000, now: bare.now, sleep: bare.sleep, random: () => 0.5 }, run.attempt)).value).toBe("after");
  });

  it("a refused key (401, 403) is read again; another 4xx is not; the walk stops either way", async () => {
    for (const status of [401, 403, 400, 404]) {
      const clock = fakeTime();
      const rejected: string[] = [];
      const breakers = notingBreakers();
      const err = await failureOf(walkChain([A, B], { budgetMs: 5000, now: clock.now, sleep: clock.sleep, breakers, who: "u1", onKeyRejected: (t) => rejected.push(t.provider) }, scripted(clock, [{ fails: http(status) }]).attempt));
      expect(err).toMatchObject({ status: 502, code: "model_rejected" });
      expect(rejected).toEqual(status === 401 || status === 403 ? ["a"] : []);
      expect(breakers.recorded).toEqual([["a", "rejected", false, "u1"]]);
    }
    // Without the option a 401 is the same rejection.
    const clock = fakeTime();
    await failureOf(walkChain([A], { budgetMs: 5000, now: clock.now, sleep: clock.sleep }, scripted(clock, [{ fails: http(401) }]).attempt));
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

  it("finish_reason content_filter or sensitive is the provider's check withholding the output: 502, no next provider", async () => {
    for (const finishReason of ["content_filter", "sensitive"]) {
      const before = up.requests.length;
      up.enqueue({ content: "partial", finishReason });
      const err = await rejection(callModelChain([A2, B2], request, { budgetMs: 5000 }), ProviderRefusal);
      expect(err).toMatchObject({ status: 502, code: "blocked_output", provider: "first", side: "output", check: finishReason });
      expect(up.requests.length - before).toBe(1);
    }
  });

  it("finish_reason insufficient_system_resource is the provider's failure: the next provider answers", async () => {
    up.enqueue({ content: "half an answ", finishReason: "insufficient_system_resource" });
    const result = await callModelChain([A2, B2], request, { budgetMs: 5000 });
    expect(result.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ["first", "bad_response"],
      ["second", "ok"],
    ]);
  });

  it("finish_reason length keeps the reply, marked truncated", async () => {
    up.enqueue({ content: "Cut at max_tok", finishReason: "length" });
    const result = await callModelChain([A2], request, { budgetMs: 5000 });
    expect(result.text).toBe("Cut at max_tok");
    expect(result.truncated).toBe(true);
  });

  it("usage past what the call could use is clamped, and onUsageClamped hears of it with the target", async () => {
    up.enqueue({ content: "Short.", usage: { prompt_tokens: 1_000_000, completion_tokens: 2, total_tokens: 1_000_002 } });
    const heard: unknown[] = [];
    const result = await callModelChain([A2], request, { budgetMs: 5000, onUsageClamped: (t, reported, bound) => heard.push([t.provider, reported, bound]) });
    expect(heard).toEqual([["first", { promptTokens: 1_000_000, completionTokens: 2, totalTokens: 1_000_002 }, { promptTokens: expect.any(Number), completionTokens: 100 }]]);
    const bound = (heard[0] as [string, unknown, { promptTokens: number }])[2];
    expect(result.usage).toStrictEqual({ promptTokens: bound.promptTokens, completionTokens: 2, totalTokens: bound.promptTokens + 2 });
    // Clamped without a listener too.
    up.enqueue({ content: "Short.", usage: { prompt_tokens: 1_000_000, completion_tokens: 2, total_tokens: 1_000_002 } });
    expect((await callModelChain([A2], request, { budgetMs: 5000 })).usage.promptTokens).toBe(bound.promptTokens);
  });
});

describe("a model's own refusal (OpenAI's message.refusal) over HTTP", () => {
  let provider: ProviderDouble;
  let target1: ModelTarget;
  let target2: ModelTarget;
  const request = { messages: [{ role: "user" as const, content: "Question: where is my order?" }], maxTokens: 100 };
  /** OpenAI's chat completion when the model declines: `refusal` set, `content` null (or text beside it). */
  const answer = (message: Record<string, unknown>) => (req: Parameters<typeof usageOf>[0], res: Parameters<typeof writeJson>[0]) => writeJson(res, 200, completionBody({ model: "gpt-x", message, finish: "stop", usage: usageOf(req, 5) }));
  beforeAll(async () => {
    provider = await startProviderDouble({ basePath: "/v1", fallback: answer({ content: "The fallback answer." }) });
    target1 = { ...target("openai", 5000), baseUrl: provider.url };
    target2 = { ...target("other", 5000), baseUrl: provider.url };
  });
  afterAll(() => provider.close());

  it("a refusal with no content is the output withheld by the model: 502 blocked_output, check refusal, no next provider", async () => {
    provider.next(answer({ content: null, refusal: "I can't help with that." }));
    const before = provider.requests.length;
    const err = await rejection(callModelChain([target1, target2], request, { budgetMs: 5000 }), ProviderRefusal);
    expect(err).toMatchObject({ status: 502, code: "blocked_output", provider: "openai", side: "output", check: "refusal" });
    expect(provider.requests.length - before).toBe(1);
  });

  it("a refusal beside text is an answer: the text is kept", async () => {
    provider.next(answer({ content: "Here is what I can say.", refusal: "part of it" }));
    const result = await callModelChain([target1, target2], request, { budgetMs: 5000 });
    expect(result.text).toBe("Here is what I can say.");
    expect(result.provider).toBe("openai");
  });
});
