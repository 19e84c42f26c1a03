// The request's walk, in order, and nothing else. Each step lives in its own module and
// throws AppError; the one catch turns any failure into the response, and `finish` is the
// record step: quota, cache and audit record in one store trip, then the one log line (when a
// stream ends, for a streamed answer).
import { randomUUID } from "node:crypto";
import * as z from "zod/mini";
import { AppError } from "./appError";
import type { Authenticate } from "./auth/authenticate";
import { cacheKeyOf } from "./cache/cacheKey";
import { createSingleFlight } from "./cache/singleFlight";
import type { Config, ResolvedEnvironment } from "./config/loadConfig";
import { errorResponse } from "./http/errorResponse";
import { type PlainRequest, type PlainResponse, jsonResponse } from "./http/plain";
import { SSE_HEADERS } from "./http/sse";
import { traceIdOf } from "./http/traceId";
import type { Intent } from "./intents/intent";
import { type IntentName, isIntentName } from "./intents/names";
import type { Admission } from "./limits/admit";
import { ModelCallError, type Usage } from "./models/callModelChain";
import { type Produced, generateAnswer } from "./models/generateAnswer";
import type { ModelTargets } from "./models/modelTargets";
import { openModelStream } from "./models/streamModelChain";
import type { Logger } from "./observability/logger";
import { type TraceFacts, createTraceWriters } from "./observability/requestTrace";
import type { RecordInput } from "./record/recordRequest";
import { type Refiner, refineTargetOf } from "./refine/refiner";
import { parseAskRequest } from "./request/parseAskRequest";
import { chooseProfile } from "./routing/resolveProfile";
import { createInputGuard, createOutputGuards } from "./safety/guards";
import { answerStream, wholeAnswerStream } from "./streaming/answerStream";
import { createToolbox } from "./tools/toolbox";

export interface AskPipelineDeps {
  config: Config;
  env: ResolvedEnvironment;
  /** The intents this function serves (all of them on the local server). */
  intents: Partial<Record<IntentName, Intent>>;
  authenticate: Authenticate;
  admit: (request: { traceId: string; userId: string; intent: IntentName; cacheKey?: string }) => Promise<Admission>;
  record: (request: RecordInput) => Promise<boolean>;
  storePrefix: string;
  models: ModelTargets;
  refiner?: Refiner;
  /** The environment's output rules, one guard per profile (built once by the caller). */
  outputGuardFor?: (profile: string) => (text: string) => void;
  logger: Logger;
  newTraceId?: () => string;
  now?: () => number;
}

const ZERO_USAGE: Usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };

/** What the cache keeps of an answer; read back through zod like any stored input. */
const cachedAnswerSchema = z.object({ answer: z.unknown(), model: z.string() });

function servedIntent(intents: AskPipelineDeps["intents"], name: string): Intent {
  const intent = isIntentName(name) ? intents[name] : undefined;
  if (intent) return intent;
  if (!isIntentName(name)) throw new AppError(400, "unknown_intent", `unknown intent "${name}"`);
  throw new AppError(404, "intent_not_served", `this function does not serve "${name}" (it serves ${Object.keys(intents).join(", ")})`);
}

function readCached(value: string): z.infer<typeof cachedAnswerSchema> | undefined {
  try {
    const parsed = z.safeParse(cachedAnswerSchema, JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function wantsStream(req: PlainRequest, bodyFlag: boolean | undefined): boolean {
  // The event-function transport cannot stream: it answers the same request in one piece.
  return req.canStream === true && (bodyFlag === true || (req.headers.accept ?? "").includes("text/event-stream"));
}

export function createAskPipeline(deps: AskPipelineDeps): (req: PlainRequest) => Promise<PlainResponse> {
  const now = deps.now ?? Date.now;
  const newTraceId = deps.newTraceId ?? randomUUID;
  const singleFlight = createSingleFlight<Produced>();
  // Dev and staging may skip the cache to see a fresh answer, and ask for the trace in the
  // reply (the playground); prod does neither.
  const bypassAllowed = deps.env.name !== "prod";
  const debugAllowed = deps.env.name !== "prod";
  const guardInput = createInputGuard(deps.env.safety);
  const outputGuardFor = deps.outputGuardFor ?? createOutputGuards(deps.config.profiles, deps.env.safety);
  const toolbox = createToolbox(deps.config);
  const trace = createTraceWriters(deps.env, deps.storePrefix);

  return async function ask(req) {
    const startedAt = now();
    const facts: TraceFacts = { traceId: traceIdOf(req, newTraceId), startedAt, status: 0, timings: {}, ...(req.requestId ? { requestId: req.requestId } : {}) };
    let lap = startedAt;
    const mark = (step: string) => {
      const t = now();
      facts.timings[step] = t - lap;
      lap = t;
    };
    // What the record step writes besides the audit record.
    const pending: { tokens: number; cache?: RecordInput["cache"]; skipStore?: boolean } = { tokens: 0 };

    const finish = async (status: number, err?: unknown) => {
      facts.status = status;
      if (err instanceof AppError) Object.assign(facts, { code: err.code, message: err.message });
      if (err instanceof ModelCallError) facts.attempts = err.attempts;
      facts.timings.total = now() - startedAt;
      const audited = pending.skipStore
        ? false
        : await deps.record({ traceId: facts.traceId, ...(facts.userId ? { userId: facts.userId } : {}), tokens: pending.tokens, ...(pending.cache ? { cache: pending.cache } : {}), audit: trace.auditEntry(facts) });
      deps.logger.info("request", { ...trace.logLine(facts), ...(audited ? {} : { audited: false }) });
    };

    let response: PlainResponse;
    try {
      const request = parseAskRequest(req);
      facts.traceId = request.traceId ?? facts.traceId;
      const traceId = facts.traceId;
      facts.request = { input: request.input, ...(request.context ? { context: request.context } : {}), ...(request.profile ? { profile: request.profile } : {}) };
      const intent = servedIntent(deps.intents, request.intent);
      // Only a known name: an unknown "intent" is whatever the client typed.
      facts.intent = intent.name;
      const { userId } = await deps.authenticate(req, request.userId);
      facts.userId = userId;
      mark("auth");
      const { profile, arm } = chooseProfile(deps.config, deps.env, intent.name, userId, request.profile);
      Object.assign(facts, { profile: profile.name, profileHash: profile.contentHash, arm });
      const call = intent.prepare(request.input, request.context);
      // Before any store trip or provider: blocked input costs nothing and goes nowhere.
      guardInput(call.input, request.context);
      const guardOutput = outputGuardFor(profile.name);
      // Tool rounds need whole replies: a profile with tools answers a stream in one delta.
      const streaming = wantsStream(req, request.stream) && !profile.tools?.length;
      const streamWhole = wantsStream(req, request.stream) && !streaming;
      if (streaming || streamWhole) facts.stream = true;

      const bypass = bypassAllowed && req.headers["x-miniask-cache"] === "bypass";
      const cacheKey = profile.cache && !bypass ? cacheKeyOf(deps.storePrefix, profile, call.input, request.context, userId) : undefined;
      const admission = await deps.admit({ traceId, userId, intent: intent.name, ...(cacheKey ? { cacheKey } : {}) });
      mark("limit");
      facts.limit = admission.outcome;
      // The store just failed: do not wait on it again for the record step.
      if (admission.outcome === "store_error_open") pending.skipStore = true;
      const hit = admission.cached === undefined ? undefined : readCached(admission.cached);
      facts.cache = !profile.cache ? "off" : bypass ? "bypass" : hit ? "hit" : admission.outcome === "store_error_open" ? "skipped" : "miss";
      const headers = { "x-trace-id": traceId, ...admission.headers };
      const wantsDebug = debugAllowed && req.headers["x-miniask-debug"] === "1";
      // Read at reply time: the trace so far (arm, provider, attempts, cache, limits, timings).
      const debug = () => ({
        debug: { arm: facts.arm, provider: facts.provider, attempts: facts.attempts, cache: facts.cache, limit: facts.limit, rateLimit: admission.headers, timings: { ...facts.timings, total: now() - startedAt } },
      });
      const meta = { intent: intent.name, profile: profile.name };
      const cacheEntry = (answer: unknown, model: string) =>
        cacheKey && profile.cache ? { key: cacheKey, value: JSON.stringify({ answer, model }), ttlSeconds: profile.cache.ttl_seconds } : undefined;

      if (hit) {
        Object.assign(facts, { model: hit.model, usage: ZERO_USAGE, answer: hit.answer });
        const done = { traceId, ...meta, model: hit.model, usage: ZERO_USAGE, cached: true, ...(wantsDebug ? debug() : {}) };
        response =
          streaming || streamWhole
            ? { status: 200, headers: { ...SSE_HEADERS, ...headers }, body: "", stream: wholeAnswerStream(hit.answer, done) }
            : jsonResponse(200, { answer: hit.answer, ...done }, headers);
      } else if (streaming) {
        const open = (p: typeof profile) =>
          openModelStream(
            deps.models[p.model] ?? [],
            { messages: [{ role: "system", content: p.system_prompt }, ...call.messages], maxTokens: p.max_tokens, ...(p.temperature === undefined ? {} : { temperature: p.temperature }) },
            { budgetMs: p.budget_ms ?? deps.env.modelBudgetMs, now, ...(req.signal ? { signal: req.signal } : {}) },
          );
        const opened = await open(profile);
        mark("firstToken");
        const refineTarget = refineTargetOf(deps.config, profile);
        Object.assign(facts, { attempts: opened.attempts, provider: opened.provider });
        const stream = answerStream({
          opened,
          call,
          ...(refineTarget ? { refine: { open: () => open(refineTarget), call } } : {}),
          traceId,
          meta,
          ...(wantsDebug ? { extraDone: debug } : {}),
          guardOutput,
          onComplete: async (done) => {
            pending.tokens = done.usage.totalTokens;
            const entry = cacheEntry(done.answer, done.model);
            if (entry) pending.cache = entry;
            facts.answer = done.answer;
          },
          finish: async (outcome) => {
            mark("model");
            Object.assign(facts, { model: outcome.model, usage: outcome.usage });
            await finish(outcome.status, outcome.code ? new AppError(outcome.status, outcome.code, outcome.message ?? outcome.code) : undefined);
          },
        });
        return { status: 200, headers: { ...SSE_HEADERS, ...headers }, body: "", stream };
      } else {
        const produce = () =>
          generateAnswer({
            chain: deps.models[profile.model] ?? [],
            profile,
            call,
            chainOptions: { budgetMs: profile.budget_ms ?? deps.env.modelBudgetMs, now },
            guardOutput,
            toolbox,
            onToolCall: (toolCall, outcome, ms) => deps.logger.info("tool call", { traceId, tool: toolCall.name, ok: outcome.ok, ...(outcome.error ? { error: outcome.error } : {}), ms }),
          });
        const { value, leader } = cacheKey ? await singleFlight(cacheKey, produce) : { value: await produce(), leader: true };
        mark("model");
        Object.assign(facts, {
          model: value.model,
          provider: value.provider,
          attempts: value.attempts,
          usage: leader ? value.usage : ZERO_USAGE,
          answer: value.answer,
          extra: { ...(value.repaired ? { repaired: true } : {}), ...(value.toolCalls ? { toolCalls: value.toolCalls } : {}), ...(leader ? {} : { sharedCall: true }) },
        });
        // The leader pays and stores; followers of a shared call spent nothing themselves.
        if (leader) {
          pending.tokens = value.usage.totalTokens;
          const entry = cacheEntry(value.answer, value.model);
          if (entry) pending.cache = entry;
        }
        const reply: Record<string, unknown> = {
          answer: value.answer,
          traceId,
          ...meta,
          model: value.model,
          usage: leader ? value.usage : ZERO_USAGE,
          cached: false,
          // Which providers failed before the one that answered, and why.
          ...(value.attempts.length > 1 ? { attempts: value.attempts } : {}),
          ...(wantsDebug ? debug() : {}),
        };
        // Fast first: the refined answer is computed now, in the background, for /v1/mini/refine.
        if (leader && deps.refiner && profile.refine) {
          const started = await deps.refiner.start({ traceId, userId, intent: intent.name, profile: profile.name, input: call.input, ...(request.context ? { context: request.context } : {}) });
          if (started) reply.refine = { id: traceId };
        }
        const { answer, ...done } = reply;
        response = streamWhole
          ? { status: 200, headers: { ...SSE_HEADERS, ...headers }, body: "", stream: wholeAnswerStream(answer, done) }
          : jsonResponse(200, reply, headers);
      }
      await finish(response.status);
    } catch (err) {
      response = errorResponse(err, facts.traceId);
      // The store just failed (closed policy): do not wait on it again for the record step.
      if (err instanceof AppError && err.code === "store_unavailable") pending.skipStore = true;
      if (!(err instanceof AppError)) deps.logger.error("unexpected error", { traceId: facts.traceId, error: err instanceof Error ? err.name : typeof err });
      await finish(response.status, err);
    }
    return response;
  };
}
