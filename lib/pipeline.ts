// The request's walk, in order (design.md): parse, authenticate, choose the profile, prepare
// the call, admit (limits, quota, cache read: one store trip), answer (cached, whole or
// streamed), record (quota, cache, audit record: one store trip, before the response's last
// byte: nothing is left for after it) and one log line. Each step
// lives in its own module and returns a value; this function only composes them, and its one
// catch turns any failure into the response.
import { randomUUID } from "node:crypto";
import { AppError } from "./appError";
import { AskRejected, parseAsk } from "./ask/parseAsk";
import { createPrepareAsk } from "./ask/prepareAsk";
import { type Answered, answeredOfSpent, answeredOfStream, cachedDraftOf, createRespondCached, createRespondStreamed, createRespondWhole, sseResponse } from "./ask/respond";
import { createAdmitAsk } from "./ask/admitAsk";
import { createLaps } from "./ask/laps";
import { createRecordAsk } from "./ask/recordAsk";
import { createAuditLogLine } from "./observability/auditLogLine";
import type { Walked } from "./ask/walked";
import { type Authenticate, type Principal, requireSameUser } from "./auth/authenticate";
import type { ContentGuard } from "./contentSecurity/contentGuard";
import { textsOf } from "./contentSecurity/textsOf";
import type { IpLimit } from "./limits/ipLimit";
import { type Config, type ResolvedEnvironment, aliasModels } from "./config/config";
import { errorResponse } from "./http/errorResponse";
import type { PlainRequest, PlainResponse } from "./http/plain";
import type { RouteContext } from "./http/router";
import { MAX_BODY_BYTES } from "./http/limits";
import { traceIdOf } from "./http/traceId";
import type { Intent } from "./intents/intent";
import type { IntentName } from "./intents/names";
import type { AdmitAsk, Admission } from "./limits/admit";
import type { BreakerHub } from "./breaker/breakerHub";
import { createBudgetGate } from "./cost/budgetGate";
import type { Answerer } from "./models/answerer";
import type { Logger } from "./log/logger";
import { createTraceWriters } from "./observability/requestTrace";
import type { RecordInput } from "./record/recordRequest";
import { type Refiner, refineTargetOf } from "./refine/refiner";
import type { ContentDigest } from "./identity/contentDigest";
import { chooseProfile } from "./routing/resolveProfile";
import { settleStream } from "./streaming/answerStream";
import { answerText } from "./text/answerText";

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
  /** The openid sealed in a token, opened (undefined: none, or not ours). */
  openidOf?: (sealed: string | undefined) => Promise<string | undefined>;
  storePrefix: string;
  /** Keyed digest of logged content (prod): the request and audit lines must share one. */
  contentDigest?: ContentDigest;
  answerer: Answerer;
  refiner?: Refiner;
  logger: Logger;
  newTraceId?: () => string;
  now?: () => number;
}

/** The steps, built once per process from the deps (options read once, never per request). */
function askSteps(deps: AskPipelineDeps) {
  const now = deps.now ?? Date.now;
  const budget = createBudgetGate({ settings: deps.env.budget, prefix: deps.storePrefix, logger: deps.logger, prices: deps.config.prices });
  const breakers = deps.breakers?.enabled ? deps.breakers : undefined;
  const chainModels = (alias: string) => aliasModels(deps.config, deps.env.name, alias);
  return {
    deps,
    now,
    newTraceId: deps.newTraceId ?? randomUUID,
    guard: deps.contentGuard,
    authenticate: authenticateCharging(deps),
    prepareAsk: createPrepareAsk({ env: deps.env, storePrefix: deps.storePrefix, toolRounds: deps.config.tools.max_rounds }),
    admitAsk: createAdmitAsk({ admit: deps.admit, budget, budgetSettings: deps.env.budget, chainModels, refineAliasOf: (p) => refineTargetOf(deps.config, p)?.model, ...(breakers ? { breakers } : {}), now }),
    respondWhole: createRespondWhole({ answerer: deps.answerer, ...(deps.refiner ? { refiner: deps.refiner } : {}), logger: deps.logger }),
    respondCached: createRespondCached({ ...(deps.refiner ? { refiner: deps.refiner } : {}) }),
    respondStreamed: createRespondStreamed({ config: deps.config, answerer: deps.answerer, logger: deps.logger }),
    recordAsk: createRecordAsk({
      record: deps.record,
      trace: createTraceWriters(deps.env, deps.storePrefix, deps.contentDigest),
      budget,
      ...(breakers ? { breakers } : {}),
      logger: deps.logger,
      auditLine: createAuditLogLine(deps.env, deps.contentDigest),
    }),
  };
}

type AskSteps = ReturnType<typeof askSteps>;

/** A token that fails is charged to the client's IP (429 past its limit), then refused as it was. */
function authenticateCharging(deps: AskPipelineDeps) {
  return async (req: PlainRequest, traceId: string): Promise<Principal> => {
    try {
      return await deps.authenticate(req);
    } catch (err) {
      if (err instanceof AppError && err.status === 401) await deps.ipLimit?.(req.clientIp, traceId);
      throw err;
    }
  };
}

export function createAskPipeline(deps: AskPipelineDeps): (req: PlainRequest, ctx?: RouteContext) => Promise<PlainResponse> {
  const steps = askSteps(deps);
  return (req, ctx) => walk(steps, req, ctx);
}

/** One request's walk through the steps, in the order of design.md. */
async function walk(steps: AskSteps, req: PlainRequest, ctx: RouteContext | undefined): Promise<PlainResponse> {
  const { deps, now, guard, authenticate, prepareAsk, admitAsk, respondCached, respondStreamed, respondWhole, recordAsk } = steps;
  const startedAt = now();
  const laps = createLaps(now, startedAt);
  let traceId = ctx?.traceId ?? traceIdOf(req, steps.newTraceId);
  const walked: Walked = {};
  const record = (status: number, err?: unknown) => {
    laps.timings.total = now() - startedAt;
    return recordAsk({ traceId, startedAt, timings: laps.timings, ...(req.requestId ? { requestId: req.requestId } : {}) }, walked, status, err);
  };

  try {
    // What the transport refused to read is refused at once; then the token, from the header
    // alone: without a valid one, nothing of the body is even parsed.
    if (req.bodyTooLarge) throw new AppError(413, "payload_too_large", `the body is over ${MAX_BODY_BYTES} bytes`);
    const principal = await authenticate(req, traceId);
    // Authenticated: whatever is refused from here on (an unknown intent too) is audited.
    const userId = (walked.userId = principal.userId);
    laps.lap("auth");
    const parsed = (walked.parsed = parseAsk(req, deps.intents, traceId));
    traceId = parsed.traceId;
    if (ctx) ctx.traceId = traceId;
    requireSameUser(userId, parsed.request.userId);
    const route = (walked.route = chooseProfile(deps.config, deps.env, parsed.intent.name, userId, parsed.request.profile));
    const prepared = (walked.plan = prepareAsk(req, parsed, userId, route));
    // WeChat's check of what the user sent: before any store trip or provider.
    const openid = guard && (guard.input || guard.output) ? await deps.openidOf?.(principal.sealedOpenid) : undefined;
    if (guard?.input) {
      await guard.checkInput(textsOf(prepared.call.input, prepared.request.context), openid, startedAt + deps.env.modelBudgetMs);
      laps.lap("contentInput");
    }
    const admitted = await admitAsk(prepared);
    const admission = (walked.admission = admitted.admission);
    laps.lap("limit");
    if (admitted.refusal) throw admitted.refusal;
    if (admitted.degraded) walked.budget = "degraded";
    const plan = (walked.plan = admitted.plan);
    const headers = { "x-trace-id": traceId, ...admission.headers };
    // The playground's trace, read at reply time.
    const debug = plan.debug
      ? (answered?: Partial<Answered>) => ({ arm: plan.arm, provider: answered?.provider, attempts: answered?.attempts, cache: admission.cache, limit: admission.limit, rateLimit: admission.headers, timings: { ...laps.timings, total: now() - startedAt } })
      : undefined;

    const cachedDraft = cachedDraftOf(deps.config, plan, admission.hit);
    if (admission.hit && !cachedDraft) {
      const { response, answered } = await respondCached(plan, admission.hit, headers, debug);
      walked.answered = answered;
      await record(response.status);
      return response;
    }
    if (plan.mode === "stream") {
      const gate = guard?.output ? { open: () => guard.streamGate(openid, startedAt + deps.env.streamMaxMs), blocked: guard.blockedStream } : undefined;
      const { opened, events } = await respondStreamed(plan, req.signal, debug, gate, cachedDraft);
      laps.lap("firstToken");
      walked.answered = { provider: opened.provider, attempts: opened.attempts };
      return sseResponse(
        headers,
        settleStream(events, async (outcome) => {
          laps.lap("model");
          walked.answered = answeredOfStream(walked.answered, outcome, plan, deps.answerer.costOf);
          await record(outcome.status, outcome.code ? new AppError(outcome.status, outcome.code, outcome.message ?? outcome.code) : undefined);
        }),
      );
    }
    const whole = await respondWhole(plan, headers, debug);
    laps.lap("model");
    walked.answered = whole.answered;
    if (guard?.output) {
      // Before it is returned, cached or refined: a withheld answer is still spent (and recorded as such).
      try {
        await guard.checkOutput(answerText(whole.answered.answer), openid, startedAt + deps.env.modelBudgetMs * 2);
      } finally {
        laps.lap("contentOutput");
      }
    }
    // The refine job and the record: two store trips side by side, both before the response.
    const [response] = await Promise.all([whole.reply(), record(200)]);
    return response;
  } catch (err) {
    // The body failed validation but named its traceId: the error carries the caller's.
    if (err instanceof AskRejected && err.traceId) {
      traceId = err.traceId;
      if (ctx) ctx.traceId = traceId;
    }
    const response = errorResponse(err, traceId);
    // A whole answer withheld after its calls were paid is charged what they spent.
    walked.answered ??= answeredOfSpent(err, deps.answerer.costOf);
    if (!(err instanceof AppError)) deps.logger.error("unexpected error", { traceId, error: err instanceof Error ? err.name : typeof err });
    await record(response.status, err);
    return response;
  }
}
