// Step 7 of the walk, in one of three ways: a cache hit, a whole answer (JSON), or a stream as
// the model writes (after its tool round, for a profile with tools). Each returns the response
// and what it spent; the pipeline records it.
import { createSingleFlight } from "../async/singleFlight";
import type { Attempt, Usage } from "../chat/types";
import { ZERO_USAGE } from "../chat/usage";
import type { Config } from "../config/config";
import { type PlainResponse, jsonResponse } from "../http/plain";
import { SSE_HEADERS } from "../http/sse";
import type { Answerer } from "../models/answerer";
import type { RequestCost } from "../cost/priceBook";
import { type AnswerOptions, type PricedAnswer, modelRequestFor } from "../models/answerer";
import type { OpenedStream } from "../models/streamModelChain";
import { AppError } from "../appError";
import { ModelCallError } from "../models/callModelChain";
import { spentOn } from "../models/generateAnswer";
import type { Logger } from "../log/logger";
import type { CachedAnswer } from "../cache/cachedAnswer";
import { openedText } from "../models/openedText";
import { type RefineJob, type Refiner, refineTargetOf } from "../refine/refiner";
import { answerText } from "../text/answerText";
import { type AnswerStreamOptions, type StreamOutcome, answerStream, wholeAnswerStream } from "../streaming/answerStream";
import type { Plan } from "./prepareAsk";

/** What an answer cost and where it came from: the log line, the audit record and the cache. */
export interface Answered {
  answer: unknown;
  model: string;
  provider?: string;
  attempts?: Attempt[];
  /** What this request spent (nothing for a cache hit, or a follower of a shared call). */
  usage: Usage;
  /** Fresh from a model, and ours to store in the cache. */
  cacheable: boolean;
  /** A refining profile's fast answer, cached as a draft until its refinement lands. */
  draft?: boolean;
  /** What its calls cost (nothing for a cache hit). */
  cost?: RequestCost;
  extra?: Record<string, unknown>;
}

type Debug = (answered?: Partial<Answered>) => Record<string, unknown>;

const metaOf = (plan: Plan) => ({ intent: plan.intent.name, profile: plan.profile.name });

function sseResponse(headers: Record<string, string>, stream: AsyncIterable<string>): PlainResponse {
  return { status: 200, headers: { ...SSE_HEADERS, ...headers }, body: "", stream };
}

function wholeResponse(plan: Plan, headers: Record<string, string>, reply: Record<string, unknown> & { answer: unknown }): PlainResponse {
  if (plan.mode === "whole") return jsonResponse(200, reply, headers);
  const { answer, ...done } = reply;
  return sseResponse(headers, wholeAnswerStream(answer, done));
}

/**
 * A cache hit, the same whole or streamed: the refined answer once one landed; a refining
 * profile's draft (its refinement not landed yet) with the offer to refine kept, a job made for
 * this request whose /refine takes the cached refinement when another request's lands first.
 * (A streamed request for a draft refines it inline instead: see `cachedDraftOf`.)
 */
export function createRespondCached(deps: { refiner?: Refiner }) {
  return async function respondCached(plan: Plan, hit: CachedAnswer, headers: Record<string, string>, debug?: Debug): Promise<{ response: PlainResponse; answered: Answered }> {
    const answered: Answered = { answer: hit.answer, model: hit.model, usage: ZERO_USAGE, cacheable: false };
    const reply: Record<string, unknown> & { answer: unknown } = { answer: hit.answer, traceId: plan.traceId, ...metaOf(plan), model: hit.model, usage: ZERO_USAGE, cached: true };
    if (hit.draft && plan.profile.refine && deps.refiner && (await deps.refiner.keepJob(refineJobOf(plan)))) reply.refine = { id: plan.traceId };
    if (debug) reply.debug = debug(answered);
    return { response: wholeResponse(plan, headers, reply), answered };
  };
}

/** The cached draft a streamed request refines as it goes (draft event, then the refinement as final), when there is one. */
export function cachedDraftOf(config: Config, plan: Plan, hit: CachedAnswer | undefined): CachedAnswer | undefined {
  return hit?.draft && plan.mode === "stream" && refineTargetOf(config, plan.profile) ? hit : undefined;
}

/** What /refine needs to compute this request's refinement, and the cache entry it lands in. */
function refineJobOf(plan: Plan): RefineJob {
  return {
    traceId: plan.traceId,
    userId: plan.userId,
    intent: plan.intent.name,
    profile: plan.profile.name,
    input: plan.call.input,
    ...(plan.request.context ? { context: plan.request.context } : {}),
    ...(plan.cacheKey && plan.profile.cache ? { cacheKey: plan.cacheKey } : {}),
  };
}

export function createRespondWhole(deps: { answerer: Answerer; refiner?: Refiner; logger: Logger }) {
  // Identical concurrent misses in one instance share one model call.
  const singleFlight = createSingleFlight<PricedAnswer>();
  /**
   * The whole answer and what it spent; `reply()` makes the response once the caller's output
   * checks passed: only then is a refinement's job kept (a withheld answer is never refined).
   */
  return async function respondWhole(plan: Plan, headers: Record<string, string>, debug?: Debug): Promise<{ answered: Answered; reply: () => Promise<PlainResponse> }> {
    const { traceId } = plan;
    let led = false;
    const produce = () => {
      led = true;
      return deps.answerer.answer(plan.profile, plan.call, answerOptionsOf(plan, deps.logger));
    };
    const { value, leader } = await (plan.cacheKey ? singleFlight(plan.cacheKey, produce) : produce().then((v) => ({ value: v, leader: true }))).catch((err: unknown) => {
      throw led ? err : unspent(err);
    });
    // The leader pays and stores; followers of a shared call spent nothing themselves.
    const usage = leader ? value.usage : ZERO_USAGE;
    const extra = { ...(value.repaired ? { repaired: true } : {}), ...(value.toolCalls ? { toolCalls: value.toolCalls } : {}), ...(leader ? {} : { sharedCall: true }) };
    // A refining profile's fast answer is cached as a draft: its refinement replaces it when it lands.
    const draft = plan.profile.refine !== undefined && deps.refiner !== undefined;
    const answered: Answered = { answer: value.answer, model: value.model, provider: value.provider, attempts: value.attempts, usage, cacheable: leader && plan.cacheKey !== undefined, ...(draft ? { draft } : {}), extra, ...(leader ? { cost: value.cost } : {}) };
    const reply: Record<string, unknown> & { answer: unknown } = {
      answer: value.answer,
      traceId,
      ...metaOf(plan),
      model: value.model,
      usage,
      cached: false,
      ...(value.truncated ? { truncated: true } : {}),
      // Which providers failed before the one that answered, and why (what they cost is ours).
      // (Only when one failed: a tool profile's several answered turns are not news.)
      ...(value.attempts.some((a) => a.outcome !== "ok") ? { attempts: value.attempts.map(({ cost: _cost, ...attempt }) => attempt) } : {}),
    };
    const refiner = leader && plan.profile.refine ? deps.refiner : undefined;
    return {
      answered,
      async reply() {
        // Fast first: the job is kept for /v1/mini/refine, which computes the refinement itself.
        if (refiner) {
          const kept = await refiner.keepJob(refineJobOf(plan));
          if (kept) reply.refine = { id: traceId };
        }
        if (debug) reply.debug = debug(answered);
        return wholeResponse(plan, headers, reply);
      },
    };
  };
}

/** A follower of a shared call that failed gets its error, but the leader alone pays what it spent. */
function unspent(err: unknown): unknown {
  if (!spentOn(err)) return err;
  if (err instanceof ModelCallError) return new ModelCallError(err.status, err.code, err.message, err.attempts, err.summary);
  const known = err as AppError;
  return new AppError(known.status, known.code, known.message, known.headers, known.details, known.fields);
}

/** What a whole answer that failed or was withheld after its calls were paid spent (spentOn), for the record step to charge. */
export function answeredOfSpent(err: unknown, costOf: Answerer["costOf"]): Partial<Answered> | undefined {
  const spent = spentOn(err);
  if (!spent) return undefined;
  const { usage, attempts, calls } = spent;
  const answered = [...attempts].reverse().find((a) => a.outcome === "ok");
  return { usage, attempts, cost: costOf(calls), ...(answered ? { model: answered.model, provider: answered.provider } : {}) };
}

/** Who asks (the provider and the team's tools get hashes of it), and a log line per tool call. */
function answerOptionsOf(plan: Plan, logger: Logger, signal?: AbortSignal): AnswerOptions {
  const { traceId } = plan;
  return {
    trace: { traceId, userId: plan.userId },
    onToolCall: (toolCall, outcome, ms) => logger.info("tool call", { traceId, tool: toolCall.name, ok: outcome.ok, ...(outcome.error ? { error: outcome.error } : {}), ms }),
    ...(signal ? { signal } : {}),
  };
}

export function createRespondStreamed(deps: { config: Config; answerer: Answerer; logger: Logger }) {
  /**
   * Opens the model's stream (falling back along the chain until the first delta: a failure
   * here is still an ordinary error response), then relays it as SSE.
   */
  return async function respondStreamed(
    plan: Plan,
    signal: AbortSignal | undefined,
    debug?: Debug,
    contentGate?: AnswerStreamOptions["contentGate"],
    cachedDraft?: CachedAnswer,
  ): Promise<{ opened: OpenedStream; events: AsyncGenerator<string, StreamOutcome> }> {
    const options = answerOptionsOf(plan, deps.logger, signal);
    // A cached draft goes out as the draft (nothing spent on it), then its refinement streams.
    const opened = cachedDraft
      ? openedText(answerText(cachedDraft.answer), { provider: "cache", model: cachedDraft.model, usage: ZERO_USAGE, attempts: [] })
      : await deps.answerer.stream(plan.profile, plan.call, options);
    const refineTarget = refineTargetOf(deps.config, plan.profile);
    const events = answerStream({
      opened,
      call: plan.call,
      // A cached draft cost nothing: only a model's stream cut short is charged an estimate.
      ...(cachedDraft ? {} : { prompt: modelRequestFor(plan.profile, plan.call).messages }),
      ...(refineTarget ? { refine: { open: () => deps.answerer.stream(refineTarget, plan.call, options), call: plan.call, prompt: modelRequestFor(refineTarget, plan.call).messages } } : {}),
      traceId: plan.traceId,
      meta: metaOf(plan),
      ...(debug ? { extraDone: () => ({ debug: debug({ provider: opened.provider, attempts: opened.attempts }) }) } : {}),
      guardOutput: deps.answerer.guardOutputFor(plan.profile.name),
      ...(contentGate ? { contentGate } : {}),
    });
    return { opened, events };
  };
}

export { sseResponse };

/** What a stream spent and said, once it ended, on top of what was known when it opened. */
export function answeredOfStream(prior: Partial<Answered> | undefined, outcome: StreamOutcome, plan: Plan, costOf: Answerer["costOf"]): Partial<Answered> {
  return {
    ...prior,
    ...(outcome.model ? { model: outcome.model } : {}),
    ...(outcome.usage ? { usage: outcome.usage } : {}),
    ...(outcome.calls ? { cost: costOf(outcome.calls) } : {}),
    // A refining stream whose refinement failed ended on its draft (one call, not two): cached as a draft.
    ...(outcome.status === 200 ? { answer: outcome.answer, cacheable: plan.cacheKey !== undefined, ...(plan.profile.refine && (outcome.calls?.length ?? 0) < 2 ? { draft: true } : {}) } : {}),
  };
}
