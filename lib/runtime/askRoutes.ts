// /ask and /refine, built for a function that serves intents: everything the model path needs.
// A chunk of its own in a built function (createApp imports it lazily): the auth function never
// loads it.
import type { WechatApp } from "../auth/code2Session";
import { type ResolvedEnvironment, aliasModels } from "../config/config";
import { createAccessTokenSource } from "../contentSecurity/accessToken";
import { type ContentGuard, createContentGuard } from "../contentSecurity/contentGuard";
import { createContentChecker } from "../contentSecurity/msgSecCheck";
import { createBudgetGate } from "../cost/budgetGate";
import type { RouteHandler } from "../http/router";
import { createAdmit } from "../limits/admit";
import { createAnswerer } from "../models/answerer";
import { createAskPipeline } from "../pipeline";
import { createRefineAdmission } from "../refine/refineBudget";
import { createRefineHandler } from "../refine/refineHandler";
import { createRefiner } from "../refine/refiner";
import { redactJobWith, redactsStoredText } from "../refine/redactJob";
import { refineLockMs } from "../refine/refineLock";
import { createRedactor } from "../observability/redact";
import type { Store } from "../store/store";
import type { AppOptions, Shared } from "./appOptions";

/** WeChat's content check, when the environment turns it on and the app is configured (createProcessApp checks that). */
function contentGuardOf(env: ResolvedEnvironment, app: WechatApp | undefined, store: Store, prefix: string): ContentGuard | undefined {
  const policy = env.contentSecurity;
  if (!(policy.input || policy.output)) return undefined;
  // Not configured (allowed outside prod, with a start-up warning): no access_token can be had,
  // so every check is unavailable and on_unavailable decides.
  if (!app) return createContentGuard({ policy, checker: { checkText: async () => ({ verdict: "unavailable", reason: "no_access_token", timings: { tokenMs: 0, wechatMs: 0 } }) } });
  const accessTokens = createAccessTokenSource({ credentials: { appId: app.appId, secret: app.secret, apiBase: app.apiBase }, store, keyPrefix: prefix });
  return createContentGuard({ policy, checker: createContentChecker({ apiBase: app.apiBase, accessTokens }) });
}

/** /ask and /refine, for a function that serves intents (the auth function builds none of it). */
export function askRoutes(options: AppOptions, shared: Shared): Record<string, RouteHandler> {
  const { env, logger, record, breakers } = shared;
  const answerer = createAnswerer({
    config: options.config,
    env,
    models: options.models,
    breakers,
    // A provider's usage past what the call allows is clamped (lib/chat/usage.ts); say who sent it.
    chainOptions: {
      onUsageClamped: (target, reported, bound) => logger.warn("usage clamped", { provider: target.provider, model: target.model, reported, bound }),
      ...(options.onProviderKeyRejected ? { onKeyRejected: options.onProviderKeyRejected } : {}),
    },
  });
  const budget = createBudgetGate({ settings: env.budget, prefix: options.storePrefix, logger, prices: options.config.prices });
  const contentGuard = contentGuardOf(env, options.contentSecurityApp, options.store, options.storePrefix);
  const refiner = createRefiner({
    config: options.config,
    answerer,
    store: options.store,
    prefix: options.storePrefix,
    intents: options.intents,
    logger,
    // A refinement is spent like an answer: quota, and the day's money.
    charge: async (traceId, userId, tokens, microYuan) => {
      const recorded = await record({ traceId, userId, tokens, increments: budget.charges(userId, microYuan, Date.now()) });
      budget.reportCrossings(microYuan, recorded.totals, true);
    },
    ...(contentGuard?.output ? { checkOutput: (text: string, openid: string | undefined) => contentGuard.checkOutput(text, openid, Date.now() + env.modelBudgetMs) } : {}),
    ...(redactsStoredText(env) ? { redactJob: redactJobWith(createRedactor(env.logging.redact_patterns)) } : {}),
    lockMsFor: (target) => refineLockMs(target, env, contentGuard?.output === true),
  });
  const admit = createAdmit(shared.stepDeps);
  const ask = createAskPipeline({
    config: options.config,
    env,
    ...(options.contentDigest ? { contentDigest: options.contentDigest } : {}),
    intents: options.intents,
    authenticate: options.authenticate,
    admit,
    ipLimit: shared.ipLimit,
    record,
    storePrefix: options.storePrefix,
    answerer,
    refiner,
    breakers,
    ...(contentGuard ? { contentGuard } : {}),
    ...(options.openidOf ? { openidOf: options.openidOf } : {}),
    logger,
  });
  return {
    "POST /v1/mini/ask": ask,
    "POST /v1/mini/refine": createRefineHandler({
      refiner,
      authenticate: options.authenticate,
      ...(options.openidOf ? { openidOf: options.openidOf } : {}),
      // The same budget gate as /ask: spend read at admission, the strong call's most held.
      limit: createRefineAdmission({
        config: options.config,
        intents: options.intents,
        store: options.store,
        prefix: options.storePrefix,
        budget,
        admit,
        record,
        chainModels: (alias) => aliasModels(options.config, env.name, alias),
        toolRounds: options.config.tools.max_rounds,
      }),
    }),
  };
}
