// GET /v1/mini/flags: what this user will get, per intent, in this environment: the profile (and
// the rollout arm that chose it) and which features are on. The Mini Program keeps its toggles
// "stored remotely" here; /v1/mini/ask decides with the very same chooseProfile, so they agree.
import { bearerTokenOf } from "../auth/authenticate";
import type { Config, ResolvedEnvironment } from "../config/loadConfig";
import { jsonResponse } from "../http/plain";
import type { RouteHandler } from "../http/router";
import { INTENT_NAMES, type IntentName } from "../intents/names";
import { type Arm, chooseProfile } from "../routing/resolveProfile";

export interface IntentFlags {
  profile: string;
  arm: Arm;
  features: { streaming: boolean; refine: boolean; cache: boolean; tools: boolean };
}

export function flagsFor(config: Config, env: ResolvedEnvironment, userId: string): Record<IntentName, IntentFlags> {
  const out = {} as Record<IntentName, IntentFlags>;
  for (const intent of INTENT_NAMES) {
    const { profile, arm } = chooseProfile(config, env, intent, userId);
    out[intent] = {
      profile: profile.name,
      arm,
      // Every profile streams token by token; a profile with tools streams its answer after its tool rounds.
      features: { streaming: true, refine: profile.refine !== undefined, cache: profile.cache !== undefined, tools: (profile.tools?.length ?? 0) > 0 },
    };
  }
  return out;
}

export function createFlagsHandler(deps: { config: Config; env: ResolvedEnvironment; verifyToken: (token: string) => Promise<string> }): RouteHandler {
  return async (req, ctx) => {
    const userId = await deps.verifyToken(bearerTokenOf(req));
    return jsonResponse(
      200,
      { env: deps.env.name, configHash: deps.config.hash, userId, intents: flagsFor(deps.config, deps.env, userId), traceId: ctx.traceId },
      { "x-trace-id": ctx.traceId, "cache-control": "private, max-age=60" },
    );
  };
}
