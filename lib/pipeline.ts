// The request's walk, in order, and nothing else. Each step lives in its own module and
// throws AppError; the one catch below turns any failure into the response and the log line.
import { randomUUID } from "node:crypto";
import { AppError } from "./appError";
import type { Authenticate } from "./auth/authenticate";
import type { Config, ResolvedEnvironment } from "./config/loadConfig";
import { errorResponse } from "./http/errorResponse";
import { type PlainRequest, type PlainResponse, jsonResponse } from "./http/plain";
import { traceIdOf } from "./http/traceId";
import type { Intent } from "./intents/intent";
import { type IntentName, isIntentName } from "./intents/names";
import { type Attempt, ModelCallError, callModelChain } from "./models/callModelChain";
import type { ModelTargets } from "./models/modelTargets";
import type { Logger } from "./observability/logger";
import { parseAskRequest } from "./request/parseAskRequest";
import { resolveProfile } from "./routing/resolveProfile";

export interface AskPipelineDeps {
  config: Config;
  env: ResolvedEnvironment;
  /** The intents this function serves (all of them on the local server). */
  intents: Partial<Record<IntentName, Intent>>;
  authenticate: Authenticate;
  models: ModelTargets;
  logger: Logger;
  /** Total time for the model call, fallbacks included. */
  budgetMs?: number;
  newTraceId?: () => string;
  now?: () => number;
}

function servedIntent(intents: AskPipelineDeps["intents"], name: string): Intent {
  const intent = isIntentName(name) ? intents[name] : undefined;
  if (intent) return intent;
  if (!isIntentName(name)) throw new AppError(400, "unknown_intent", `unknown intent "${name}"`);
  throw new AppError(404, "intent_not_served", `this function does not serve "${name}" (it serves ${Object.keys(intents).join(", ")})`);
}

export function createAskPipeline(deps: AskPipelineDeps): (req: PlainRequest) => Promise<PlainResponse> {
  const now = deps.now ?? Date.now;
  const newTraceId = deps.newTraceId ?? randomUUID;
  const budgetMs = deps.budgetMs ?? 8000;

  return async function ask(req) {
    const started = now();
    let traceId = traceIdOf(req, newTraceId);
    const log: Record<string, unknown> = { env: deps.env.name, requestId: req.requestId };
    let attempts: Attempt[] | undefined;
    let response: PlainResponse;
    try {
      const request = parseAskRequest(req);
      traceId = request.traceId ?? traceId;
      log.intent = request.intent;
      const intent = servedIntent(deps.intents, request.intent);
      await deps.authenticate(req, request.userId);
      const profile = resolveProfile(deps.config, deps.env, intent.name, request.profile);
      Object.assign(log, { profile: profile.name, profileHash: profile.contentHash });
      const call = intent.prepare(request.input, request.context);
      const chain = deps.models[profile.model] ?? [];
      const result = await callModelChain(
        chain,
        {
          messages: [{ role: "system", content: profile.system_prompt }, ...call.messages],
          maxTokens: profile.max_tokens,
          ...(profile.temperature === undefined ? {} : { temperature: profile.temperature }),
        },
        { budgetMs, now },
      );
      attempts = result.attempts;
      Object.assign(log, { model: result.model, provider: result.provider, usage: result.usage });
      const answer = call.shapeAnswer(result.text);
      response = jsonResponse(
        200,
        { answer, traceId, intent: intent.name, profile: profile.name, model: result.model, usage: result.usage, cached: false },
        { "x-trace-id": traceId },
      );
    } catch (err) {
      if (err instanceof ModelCallError) attempts = err.attempts;
      response = errorResponse(err, traceId);
      if (err instanceof AppError) log.code = err.code;
      else deps.logger.error("unexpected error", { traceId, error: err instanceof Error ? err.name : typeof err });
    }
    deps.logger.info("request", { traceId, ...log, attempts, status: response.status, ms: now() - started });
    return response;
  };
}
