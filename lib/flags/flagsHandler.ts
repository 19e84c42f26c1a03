// GET /v1/mini/flags: what this user will get, per intent, in this environment: the profile (and
// the rollout arm that chose it) and which features are on. The Mini Program keeps its toggles
// "stored remotely" here; /v1/mini/ask decides with the very same chooseProfile, so they agree.
import { randomUUID } from "node:crypto";
import { AppError } from "../appError";
import { bearerTokenOf } from "../auth/authenticate";
import type { Config, ResolvedEnvironment } from "../config/loadConfig";
import { errorResponse } from "../http/errorResponse";
import { type PlainRequest, type PlainResponse, jsonResponse } from "../http/plain";
import { traceIdOf } from "../http/traceId";
import { INTENT_NAMES, type IntentName } from "../intents/names";
import type { Logger } from "../observability/logger";
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
      // A profile with tools still answers a stream request, but in one piece.
      features: { streaming: !profile.tools?.length, refine: profile.refine !== undefined, cache: profile.cache !== undefined, tools: (profile.tools?.length ?? 0) > 0 },
    };
  }
  return out;
}

export function createFlagsHandler(deps: { config: Config; env: ResolvedEnvironment; verifyToken: (token: string) => Promise<string>; logger: Logger }) {
  return async (req: PlainRequest): Promise<PlainResponse> => {
    const traceId = traceIdOf(req, randomUUID);
    try {
      const userId = await deps.verifyToken(bearerTokenOf(req));
      return jsonResponse(
        200,
        { env: deps.env.name, configHash: deps.config.hash, userId, intents: flagsFor(deps.config, deps.env, userId), traceId },
        { "x-trace-id": traceId, "cache-control": "private, max-age=60" },
      );
    } catch (err) {
      deps.logger.info("flags", { traceId, status: err instanceof AppError ? err.status : 500, code: err instanceof AppError ? err.code : "internal_error" });
      return errorResponse(err, traceId);
    }
  };
}
