// The request's walk, in order (design.md): parse, authenticate, choose the profile, prepare
// the call, admit (limits, quota, cache read: one store trip), answer (cached, whole or
// streamed), record (quota, cache, audit record: one store trip) and one log line. Each step
// lives in its own module and returns a value; this function only composes them, and its one
// catch turns any failure into the response.
import { randomUUID } from "node:crypto";
import { AppError } from "./appError";
import { parseAsk, type ParsedAsk } from "./ask/parseAsk";
import { type Plan, createPrepareAsk } from "./ask/prepareAsk";
import { type Answered, createRespondStreamed, createRespondWhole, respondCached, sseResponse } from "./ask/respond";
import { type AskAdmission, readCachedAnswer } from "./ask/askAdmission";
import { type Authenticate, type Principal, requireSameUser } from "./auth/authenticate";
import type { ContentGuard } from "./contentSecurity/contentGuard";
import { textsOf } from "./contentSecurity/textsOf";
import type { IpLimit } from "./limits/ipLimit";
import type { BackgroundWork } from "./async/backgroundWork";
import type { Config, ResolvedEnvironment } from "./config/config";
import { errorResponse } from "./http/errorResponse";
import type { PlainRequest, PlainResponse } from "./http/plain";
import type { RouteContext } from "./http/router";
import { MAX_BODY_BYTES } from "./http/limits";
import { traceIdOf } from "./http/traceId";
import type { Intent } from "./intents/intent";
import type { IntentName } from "./intents/names";
import type { AdmitAsk, Admission } from "./limits/admit";
import type { BreakerHub } from "./breaker/breakerHub";
import { budgetRefusal } from "./cost/budget";
import { createBudgetGate } from "./cost/budgetGate";
import { degradedPlan } from "./ask/degradedPlan";
import type { Answerer } from "./models/answerer";
import { ModelCallError } from "./models/callModelChain";
import type { Logger } from "./observability/logger";
import { type TraceFacts, createTraceWriters } from "./observability/requestTrace";
import type { RecordInput } from "./record/recordRequest";
import type { Refiner } from "./refine/refiner";
import { type Arm, chooseProfile } from "./routing/resolveProfile";
import type { ResolvedProfile } from "./config/config";
import { settleStream } from "./streaming/answerStream";

export interface AskPipelineDeps {
  config: Config;
  env: ResolvedEnvironment;
  /** The intents this function serves (all of them on the local server). */
  intents: Partial<Record<IntentName, Intent>>;
  authenticate: Authenticate;
  /** Charged by requests whose token failed: per client IP, 429 past it. */
  ipLimit?: IpLimit;
  admit: (request: AdmitAsk) => Promise<Admission>;
  record: (request: RecordInput) => Promise<{ stored: boolean; totals: number[] }>;
  /** This instance's circuit breakers: the shared hash is read with admission, transitions written with the record. */
  breakers?: BreakerHub;
  /** WeChat's content check on input and output, when the environment turns it on. */
  contentGuard?: ContentGuard;
  /**
   * Where the record step runs after the answer has gone out (web functions, whose instance keeps
   * running after a response); without it the answer waits for the record (event functions).
   */
  background?: BackgroundWork;
  /** The openid sealed in a token, opened (undefined: none, or not ours). */
  openidOf?: (sealed: string | undefined) => Promise<string | undefined>;
  storePrefix: string;
  answerer: Answerer;
  refiner?: Refiner;
  logger: Logger;
  newTraceId?: () => string;
  now?: () => number;
}

/** Time spent per step: each lap runs from the previous one. */
function createLaps(now: () => number, startedAt: number) {
  const timings: Record<string, number> = {};
  let last = startedAt;
  return {
    timings,
    lap(step: string) {
      const t = now();
      timings[step] = t - last;
      last = t;
    },
  };
}

/** What is known when the request ends, however far it got. */
interface Walked {
  parsed?: ParsedAsk;
  userId?: string;
  /** The profile chosen, known before the input is parsed (an invalid input still names it). */
  route?: { profile: ResolvedProfile; arm: Arm };
  plan?: Plan;
  admission?: AskAdmission;
  answered?: Partial<Answered>;
  /** The budget's decision, when it changed the request. */
  budget?: "degraded";
}

export function createAskPipeline(deps: AskPipelineDeps): (req: PlainRequest, ctx?: RouteContext) => Promise<PlainResponse> {
  const now = deps.now ?? Date.now;
  const newTraceId = deps.newTraceId ?? randomUUID;
  const prepareAsk = createPrepareAsk({ env: deps.env, storePrefix: deps.storePrefix, toolRounds: deps.config.tools.max_rounds });
  const respondWhole = createRespondWhole({ answerer: deps.answerer, ...(deps.refiner ? { refiner: deps.refiner } : {}), logger: deps.logger });
  const respondStreamed = createRespondStreamed({ config: deps.config, answerer: deps.answerer });
  const trace = createTraceWriters(deps.env, deps.storePrefix);
  const budget = createBudgetGate({ settings: deps.env.budget, prefix: deps.storePrefix, logger: deps.logger });
  const breakers = deps.breakers?.enabled ? deps.breakers : undefined;

  function factsOf(base: { traceId: string; startedAt: number; requestId?: string; timings: Record<string, number> }, walked: Walked, status: number, err: unknown): TraceFacts {
    const { parsed, plan, admission, answered } = walked;
    const request = parsed?.request;
    return {
      ...base,
      status,
      ...(err instanceof AppError ? { code: err.code, message: err.message } : {}),
      // What the user sent is logged (and redacted) only for an authenticated request.
      ...(request && walked.userId ? { request: { input: request.input, ...(request.context ? { context: request.context } : {}), ...(request.profile ? { profile: request.profile } : {}) } } : {}),
      ...(parsed ? { intent: parsed.intent.name } : {}),
      ...(walked.userId ? { userId: walked.userId } : {}),
      ...(walked.route ? { profile: walked.route.profile.name, profileHash: walked.route.profile.contentHash, arm: walked.route.arm } : {}),
      ...(plan && plan.mode !== "whole" ? { stream: true } : {}),
      ...(admission ? { limit: admission.limit, cache: admission.cache } : {}),
      ...(answered?.model ? { model: answered.model } : {}),
      ...(answered?.provider ? { provider: answered.provider } : {}),
      ...(answered?.usage ? { usage: answered.usage } : {}),
      ...(answered?.answer === undefined ? {} : { answer: answered.answer }),
      ...(answered?.extra || walked.budget ? { extra: { ...answered?.extra, ...(walked.budget ? { budget: walked.budget } : {}) } } : {}),
      ...(answered?.cost ? { cost: answered.cost } : {}),
      ...(err instanceof ModelCallError ? { attempts: err.attempts } : answered?.attempts ? { attempts: answered.attempts } : {}),
    };
  }

  const authenticate = async (req: PlainRequest, traceId: string): Promise<Principal> => {
    try {
      return await deps.authenticate(req);
    } catch (err) {
      if (err instanceof AppError && err.status === 401) await deps.ipLimit?.(req.clientIp, traceId);
      throw err;
    }
  };

  return async function ask(req, ctx) {
    const startedAt = now();
    const laps = createLaps(now, startedAt);
    let traceId = ctx?.traceId ?? traceIdOf(req, newTraceId);
    const walked: Walked = {};

    // The record step: quota, cache and the audit record in one store trip, then the log line.
    const record = async (status: number, err?: unknown): Promise<void> => {
      laps.timings.total = now() - startedAt;
      if (deps.background) deps.background.run(() => recordNow(status, err));
      else await recordNow(status, err);
    };
    const recordNow = async (status: number, err?: unknown) => {
      const facts = factsOf({ traceId, startedAt, timings: laps.timings, ...(req.requestId ? { requestId: req.requestId } : {}) }, walked, status, err);
      const { plan, admission, answered } = walked;
      // The store just failed: do not wait on it again.
      const storeDown = admission?.limit === "store_error_open" || (err instanceof AppError && err.code === "store_unavailable");
      const cache = status === 200 && answered?.cacheable && plan?.cacheKey && plan.profile.cache ? { key: plan.cacheKey, value: JSON.stringify({ answer: answered.answer, model: answered.model }), ttlSeconds: plan.profile.cache.ttl_seconds } : undefined;
      const audit = trace.auditEntry(facts);
      // Settles the reservation: the real usage less what admission reserved (negative gives back).
      const tokens = (answered?.usage?.totalTokens ?? 0) - (admission?.reserved ?? 0);
      const spent = answered?.cost?.microYuan ?? 0;
      const increments = budget.charges(walked.userId, spent, admission?.atMs ?? startedAt);
      const newerFields = breakers?.drainWrites() ?? [];
      const recorded =
        storeDown || !audit
          ? { stored: false, totals: [] }
          : await deps.record({ traceId, ...(walked.userId ? { userId: walked.userId } : {}), ...(admission ? { quotaDayMs: admission.atMs } : {}), tokens, ...(cache ? { cache } : {}), audit, increments, newerFields });
      budget.reportCrossings(spent, recorded.totals, walked.userId !== undefined);
      deps.logger.info("request", { ...trace.logLine(facts), ...(recorded.stored || !audit ? {} : { audited: false }) });
    };

    try {
      // What the transport refused to read is refused at once; then the token, from the header
      // alone: without a valid one, nothing of the body is even parsed.
      if (req.bodyTooLarge) throw new AppError(413, "payload_too_large", `the body is over ${MAX_BODY_BYTES} bytes`);
      const principal = await authenticate(req, traceId);
      const userId = principal.userId;
      laps.lap("auth");
      const parsed = (walked.parsed = parseAsk(req, deps.intents, traceId));
      traceId = parsed.traceId;
      if (ctx) ctx.traceId = traceId;
      requireSameUser(userId, parsed.request.userId);
      walked.userId = userId;
      const route = (walked.route = chooseProfile(deps.config, deps.env, parsed.intent.name, userId, parsed.request.profile));
      const prepared = (walked.plan = prepareAsk(req, parsed, userId, route));
      // WeChat's check of what the user sent: before any store trip or provider.
      const guard = deps.contentGuard;
      const openid = guard && (guard.input || guard.output) ? await deps.openidOf?.(principal.sealedOpenid) : undefined;
      const checkBy = startedAt + deps.env.modelBudgetMs;
      if (guard?.input) {
        await guard.checkInput(textsOf(prepared.call.input, prepared.request.context), openid, checkBy);
        laps.lap("contentInput");
      }
      const peek = { keys: budget.peekKeys(userId, now()), ...(breakers ? { hash: breakers.hashKey } : {}) };
      const admitted = await deps.admit({ traceId, userId, intent: prepared.intent.name, reserveTokens: prepared.reserveTokens, ...(prepared.cacheKey ? { cacheKey: prepared.cacheKey } : {}), ...(peek.keys.length || peek.hash ? { peek } : {}) });
      const admission = (walked.admission = readCachedAnswer(prepared, admitted));
      laps.lap("limit");
      if (admitted.peeked) breakers?.mergeShared(admitted.peeked.hash);
      // Past a budget: refuse (429 until Beijing midnight) or degrade (strong -> fast, no refine).
      const decision = admission.hit ? ({ action: "allow" } as const) : budget.decide(admitted.peeked?.values ?? [], admitted.atMs);
      if (decision.action === "refuse") {
        const refusal = budgetRefusal(decision);
        throw new AppError(refusal.status, refusal.code, refusal.message, refusal.headers);
      }
      if (decision.action === "degrade") walked.budget = "degraded";
      const plan = (walked.plan = decision.action === "degrade" ? degradedPlan(prepared, deps.env.budget) : prepared);
      const headers = { "x-trace-id": traceId, ...admission.headers };
      // The playground's trace, read at reply time.
      const debug = plan.debug
        ? (answered?: Partial<Answered>) => ({ arm: plan.arm, provider: answered?.provider, attempts: answered?.attempts, cache: admission.cache, limit: admission.limit, rateLimit: admission.headers, timings: { ...laps.timings, total: now() - startedAt } })
        : undefined;

      if (admission.hit) {
        const { response, answered } = respondCached(plan, admission.hit, headers, debug);
        walked.answered = answered;
        await record(response.status);
        return response;
      }
      if (plan.mode === "stream") {
        const gate = guard?.output ? { open: () => guard.streamGate(openid, startedAt + deps.env.streamMaxMs), blocked: guard.blockedStream } : undefined;
        const { opened, events } = await respondStreamed(plan, req.signal, debug, gate);
        laps.lap("firstToken");
        walked.answered = { provider: opened.provider, attempts: opened.attempts };
        return sseResponse(
          headers,
          settleStream(events, async (outcome) => {
            laps.lap("model");
            walked.answered = {
              ...walked.answered,
              ...(outcome.model ? { model: outcome.model } : {}),
              ...(outcome.usage ? { usage: outcome.usage } : {}),
              ...(outcome.calls ? { cost: deps.answerer.costOf(outcome.calls) } : {}),
              ...(outcome.status === 200 ? { answer: outcome.answer, cacheable: plan.cacheKey !== undefined } : {}),
            };
            await record(outcome.status, outcome.code ? new AppError(outcome.status, outcome.code, outcome.message ?? outcome.code) : undefined);
          }),
        );
      }
      const { response, answered } = await respondWhole(plan, headers, debug, openid);
      laps.lap("model");
      walked.answered = answered;
      if (guard?.output) {
        // Before it is returned or cached: a withheld answer is still spent (and recorded as such).
        try {
          await guard.checkOutput(typeof answered.answer === "string" ? answered.answer : JSON.stringify(answered.answer), openid, startedAt + deps.env.modelBudgetMs * 2);
        } finally {
          laps.lap("contentOutput");
        }
      }
      await record(response.status);
      return response;
    } catch (err) {
      const response = errorResponse(err, traceId);
      if (!(err instanceof AppError)) deps.logger.error("unexpected error", { traceId, error: err instanceof Error ? err.name : typeof err });
      await record(response.status, err);
      return response;
    }
  };
}
