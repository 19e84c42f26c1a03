// Wires one environment's config, model chains, auth and logger into the HTTP routes.
// Called once per process (cold start), never per request.
import type { Authenticate } from "../auth/authenticate";
import { type LoginDeps, createLoginHandler } from "../auth/login";
import { type Config, type ResolvedEnvironment, environmentOf } from "../config/loadConfig";
import type { EnvironmentName } from "../config/schema";
import { jsonResponse } from "../http/plain";
import { type Handler, createRouter } from "../http/router";
import type { Intent } from "../intents/intent";
import type { IntentName } from "../intents/names";
import type { ModelTargets } from "../models/modelTargets";
import { type Logger, createLogger } from "../observability/logger";
import { createAskPipeline } from "../pipeline";

export interface AppOptions {
  config: Config;
  envName: EnvironmentName;
  models: ModelTargets;
  intents: Partial<Record<IntentName, Intent>>;
  authenticate: Authenticate;
  logger?: Logger;
  /** Serve POST /v1/mini/login (the auth function and the local server). */
  login?: Pick<LoginDeps, "wechat" | "userIdSalt" | "tokenKeys">;
}

export interface App {
  handle: Handler;
  env: ResolvedEnvironment;
  models: ModelTargets;
  logger: Logger;
}

export function createApp(options: AppOptions): App {
  const env = environmentOf(options.config, options.envName);
  const models = options.models;
  const logger = options.logger ?? createLogger(env.logLevel);
  const ask = createAskPipeline({ config: options.config, env, intents: options.intents, authenticate: options.authenticate, models, logger });
  const health: Handler = async () =>
    jsonResponse(200, { status: "ready", env: env.name, configHash: options.config.hash, intents: Object.keys(options.intents) });
  const login = options.login
    ? createLoginHandler({ ...options.login, env: env.name, tokenTtlSeconds: env.tokenTtlSeconds, logger })
    : undefined;
  const handle = createRouter({
    ...(Object.keys(options.intents).length > 0 ? { "POST /v1/mini/ask": ask } : {}),
    ...(login ? { "POST /v1/mini/login": login } : {}),
    "GET /healthz": health,
  });
  return { handle, env, models, logger };
}
