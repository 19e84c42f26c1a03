// The request's walk, in order, and nothing else. Each step lives in its own module and
// throws AppError; the one catch below turns any failure into the response, and `finish`
// writes the one log line (when a stream ends, for a streamed answer).
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
import { type Attempt, ModelCallError, type Usage } from "./models/callModelChain";
import { type Produced, generateAnswer } from "./models/generateAnswer";
import type { ModelTargets } from "./models/modelTargets";
import { openModelStream } from "./models/streamModelChain";
import type { Logger } from "./observability/logger";
import { parseAskRequest } from "./request/parseAskRequest";
import { resolveProfile } from "./routing/resolveProfile";
import { createInputGuard, createOutputGuards } from "./safety/guards";
import { createToolbox } from "./tools/toolbox";
import { answerStream, wholeAnswerStream } from "./streaming/answerStream";
import { type Refiner, refineTargetOf } from "./refine/refiner";

export interface AskPipelineDeps {
  config: Config;
  env: ResolvedEnvironment;
  /** The intents this function serves (all of them on the local server). */
  intents: Partial<Record<IntentName, Intent>>;
  authenticate: Authenticate;
  admit: (request: { traceId: string; userId: string; intent: IntentName; cacheKey?: string }) => Promise<Admission>;
  recordUsage: (request: { traceId: string; userId: string; tokens: number; cache?: { key: string; value: string; ttlSeconds: number } }) => Promise<void>;
  storePrefix: string;
  models: ModelTargets;
  refiner?: Refiner;
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
  const guardInput = createInputGuard(deps.env.safety);
  const toolbox = createToolbox(deps.config);
  const outputGuardFor = createOutputGuards(deps.config.profiles, deps.env.safety);
  // Dev and staging may skip the cache to see a fresh answer; prod always uses it.
  const bypassAllowed = deps.env.name !== "prod";

  return async function ask(req) {
    const started = now();
    let traceId = traceIdOf(req, newTraceId);
    const log: Record<string, unknown> = { env: deps.env.name, requestId: req.requestId };
    let attempts: Attempt[] | undefined;
    const finish = (status: number) => deps.logger.info("request", { traceId, ...log, attempts, status, ms: now() - started });
    let response: PlainResponse;
    try {
      const request = parseAskRequest(req);
      traceId = request.traceId ?? traceId;
      log.intent = request.intent;
      const intent = servedIntent(deps.intents, request.intent);
      const { userId } = await deps.authenticate(req, request.userId);
      const profile = resolveProfile(deps.config, deps.env, intent.name, request.profile);
      Object.assign(log, { profile: profile.name, profileHash: profile.contentHash });
      const call = intent.prepare(request.input, request.context);
      // Before any store trip or provider: blocked input costs nothing and goes nowhere.
      guardInput(call.input, request.context);
      const guardOutput = outputGuardFor(profile.name);
      // Tool rounds need whole replies: a profile with tools answers a stream in one delta.
      const streaming = wantsStream(req, request.stream) && !profile.tools?.length;
      const streamWhole = wantsStream(req, request.stream) && !streaming;
      if (streaming) log.stream = true;

      const bypass = bypassAllowed && req.headers["x-miniask-cache"] === "bypass";
      const cacheKey = profile.cache && !bypass ? cacheKeyOf(deps.storePrefix, profile, call.input, request.context, userId) : undefined;
      const admission = await deps.admit({ traceId, userId, intent: intent.name, ...(cacheKey ? { cacheKey } : {}) });
      log.limit = admission.outcome;
      const hit = admission.cached === undefined ? undefined : readCached(admission.cached);
      log.cache = !profile.cache ? "off" : bypass ? "bypass" : hit ? "hit" : admission.outcome === "store_error_open" ? "skipped" : "miss";
      const headers = { "x-trace-id": traceId, ...admission.headers };
      const meta = { intent: intent.name, profile: profile.name };
      const canRecord = admission.outcome !== "store_error_open";
      const cacheEntry = (answer: unknown, model: string) =>
        cacheKey && profile.cache ? { cache: { key: cacheKey, value: JSON.stringify({ answer, model }), ttlSeconds: profile.cache.ttl_seconds } } : {};

      if (hit) {
        Object.assign(log, { model: hit.model, usage: ZERO_USAGE });
        const done = { traceId, ...meta, model: hit.model, usage: ZERO_USAGE, cached: true };
        response = streaming || streamWhole
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
        const refineTarget = refineTargetOf(deps.config, profile);
        attempts = opened.attempts;
        log.provider = opened.provider;
        const stream = answerStream({
          opened,
          call,
          ...(refineTarget ? { refine: { open: () => open(refineTarget), call } } : {}),
          traceId,
          meta,
          guardOutput,
          onComplete: async (done) => {
            if (canRecord) await deps.recordUsage({ traceId, userId, tokens: done.usage.totalTokens, ...cacheEntry(done.answer, done.model) });
          },
          finish: (outcome) => {
            Object.assign(log, { model: outcome.model, usage: outcome.usage, ...(outcome.code ? { code: outcome.code } : {}) });
            finish(outcome.status);
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
            onToolCall: (toolCall, outcome, ms) =>
              deps.logger.info("tool call", { traceId, tool: toolCall.name, ok: outcome.ok, ...(outcome.error ? { error: outcome.error } : {}), ms }),
          });
        const { value, leader } = cacheKey ? await singleFlight(cacheKey, produce) : { value: await produce(), leader: true };
        attempts = value.attempts;
        Object.assign(log, {
          model: value.model,
          provider: value.provider,
          usage: value.usage,
          ...(value.repaired ? { repaired: true } : {}),
          ...(value.toolCalls ? { toolCalls: value.toolCalls } : {}),
          ...(leader ? {} : { sharedCall: true }),
        });
        // The leader pays and stores; followers of a shared call spent nothing themselves.
        if (leader && canRecord) await deps.recordUsage({ traceId, userId, tokens: value.usage.totalTokens, ...cacheEntry(value.answer, value.model) });
        const reply: Record<string, unknown> = {
            answer: value.answer,
            traceId,
            ...meta,
            model: value.model,
            usage: leader ? value.usage : ZERO_USAGE,
            cached: false,
            // Which providers failed before the one that answered, and why.
            ...(value.attempts.length > 1 ? { attempts: value.attempts } : {}),
        };
        // Fast first: the refined answer is computed now, in the background, for /v1/mini/refine.
        if (leader && deps.refiner && profile.refine) {
          const started = await deps.refiner.start({ traceId, userId, intent: intent.name, profile: profile.name, input: call.input, ...(request.context ? { context: request.context } : {}) });
          if (started) Object.assign(reply, { refine: { id: traceId } });
        }
        const { answer, ...done } = reply;
        response = streamWhole
          ? { status: 200, headers: { ...SSE_HEADERS, ...headers }, body: "", stream: wholeAnswerStream(answer, done) }
          : jsonResponse(200, reply, headers);
      }
    } catch (err) {
      if (err instanceof ModelCallError) attempts = err.attempts;
      response = errorResponse(err, traceId);
      if (err instanceof AppError) log.code = err.code;
      else deps.logger.error("unexpected error", { traceId, error: err instanceof Error ? err.name : typeof err });
    }
    finish(response.status);
    return response;
  };
}
