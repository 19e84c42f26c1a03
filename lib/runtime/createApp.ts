// Wires one environment's config, model chains, auth and logger into the HTTP routes.
// Called once per process (cold start), never per request.
import { createLoginHandler } from "../auth/login";
import { type ResolvedEnvironment, environmentOf } from "../config/config";
import { jsonResponse } from "../http/plain";
import { type Handler, type RouteHandler, createRouter } from "../http/router";
import type { ModelTargets } from "../models/modelTargets";
import type { LogFields, Logger } from "../log/logger";
import { createLogger } from "../observability/logger";
import { createRedactor, redactDeep } from "../observability/redact";
import { createFlagsHandler } from "../flags/flagsHandler";
import { createBreakerHub } from "../breaker/breakerHub";
import { createRecordRequest } from "../record/recordRequest";
import { createIpLimit } from "../limits/ipLimit";
import { createWarmupRoute } from "../warmup/warmupRoute";
import type { Store } from "../store/store";
import type { AppOptions, Shared } from "./appOptions";

export interface App {
  handle: Handler;
  store: Store;
  env: ResolvedEnvironment;
  models: ModelTargets;
  logger: Logger;
}

/** Routes whose one log line the router writes (/ask writes its own, with the audit record). */
const ROUTE_LOG_LINES = { "POST /v1/mini/login": "login", "POST /v1/mini/refine": "refine", "GET /v1/mini/flags": "flags" };

function keepingTraceIds(fields: LogFields, redactRest: (fields: LogFields) => LogFields): LogFields {
  const { traceId, requestId, ...rest } = fields;
  return { ...redactRest(rest), ...(traceId === undefined ? {} : { traceId }), ...(requestId === undefined ? {} : { requestId }) };
}

/**
 * /ask and /refine live in a chunk of their own (the pipeline, the answerer, the model wire,
 * content security, budgets, refine): the auth function never loads it, and an intent function
 * starts loading it at init, while it begins to listen, so the first request finds it loaded.
 */
function lazyAskRoutes(options: AppOptions, shared: Shared): Record<string, RouteHandler> {
  const routes = import("./askRoutes").then((m) => m.askRoutes(options, shared));
  // A failed load answers each request with a 500 (through the router), not an unhandled rejection.
  routes.catch(() => undefined);
  const route =
    (key: string): RouteHandler =>
    async (req, ctx) => {
      const handler = (await routes)[key];
      if (!handler) throw new Error(`no route ${key}`);
      return handler(req, ctx);
    };
  return { "POST /v1/mini/ask": route("POST /v1/mini/ask"), "POST /v1/mini/refine": route("POST /v1/mini/refine") };
}

export function createApp(options: AppOptions): App {
  const policy = environmentOf(options.config, options.envName);
  const env = options.storeTimeoutMs === undefined ? policy : { ...policy, limits: { ...policy.limits, store_timeout_ms: options.storeTimeoutMs } };
  // Outside dev, every string of every log line passes the redaction rules, whoever wrote it.
  const redact = createRedactor(env.logging.redact_patterns);
  // The trace ids stay as sent: they are what support searches by (and their charset is ours).
  const logger = createLogger(env.logLevel, options.logWrite, undefined, env.logging.content === "full" ? undefined : (fields) => keepingTraceIds(fields, (f) => redactDeep(f, redact) as LogFields));
  const stepDeps = { store: options.store, env, prefix: options.storePrefix, logger, limitsOff: options.limitsOff ?? false };
  const shared: Shared = {
    env,
    logger,
    stepDeps,
    record: createRecordRequest(stepDeps),
    ipLimit: createIpLimit(stepDeps),
    // Per instance always; shared through the store's hash when the store is shared.
    breakers: createBreakerHub({ settings: env.breaker, logger, prefix: options.storePrefix }),
  };
  // The breakers' state is for the team's eyes: dev and staging only.
  const health: Handler = async () =>
    jsonResponse(200, { status: "ready", env: env.name, configHash: options.config.hash, intents: Object.keys(options.intents), ...(env.name === "prod" ? {} : { breakers: shared.breakers.view() }) });
  const login = options.login ? createLoginHandler({ ...options.login, env: env.name, tokenTtlSeconds: env.tokenTtlSeconds, ipLimit: shared.ipLimit }) : undefined;
  const handle = createRouter(
    {
      ...(Object.keys(options.intents).length > 0 ? lazyAskRoutes(options, shared) : {}),
      ...(login ? { "POST /v1/mini/login": login } : {}),
      "POST /v1/mini/warmup": createWarmupRoute({ ...(options.warmupKey === undefined ? {} : { warmupKey: options.warmupKey }), store: options.store, storeTimeoutMs: env.limits.store_timeout_ms, logger }),
      "GET /v1/mini/flags": createFlagsHandler({ config: options.config, env, verifyToken: options.verifyToken }),
      "GET /healthz": health,
      ...options.extraRoutes?.({ config: options.config, env, models: options.models }),
    },
    { logger, env: env.name, logAs: ROUTE_LOG_LINES },
  );
  return { handle, store: options.store, env, models: options.models, logger };
}
