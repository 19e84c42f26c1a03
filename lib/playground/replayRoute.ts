// POST /playground/replay: the same input against another profile, outside the request path
// (no limits, no cache, no audit record), as `npm run replay` runs it. Any profile of the intent
// in dev, the environment's allowed ones elsewhere; with a valid app token of this environment.
import * as z from "zod/mini";
import { AppError } from "../appError";
import { verifyAppToken } from "../auth/appToken";
import { bearerTokenOf } from "../auth/authenticate";
import type { TokenKeys } from "../auth/tokenKeys";
import type { Config, ResolvedEnvironment } from "../config/loadConfig";
import { jsonResponse } from "../http/plain";
import type { Handler } from "../http/router";
import { INTENTS } from "../intents/registry";
import { createAnswerer } from "../models/answerer";
import type { ModelTargets } from "../models/modelTargets";
import { createProfileRunner } from "../replay/runProfile";
import { PLAYGROUND_HEADERS } from "./securityHeaders";

const replayRequestSchema = z.object({
  intent: z.string(),
  profile: z.string(),
  input: z.unknown(),
  context: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
});

/** The profiles a replay may use for an intent: every one of it in dev, the allowed ones elsewhere. */
export function replayableProfiles(config: Config, env: ResolvedEnvironment, intent: string): string[] {
  const names = env.name === "dev" ? Object.keys(config.profiles) : env.allowedProfiles;
  return names.filter((name) => config.profiles[name]?.intent === intent);
}

export function replayRoute(deps: { config: Config; env: ResolvedEnvironment; tokenKeys: TokenKeys; models: ModelTargets }): Handler {
  const run = createProfileRunner({ config: deps.config, answerer: createAnswerer({ config: deps.config, env: deps.env, models: deps.models }), intents: INTENTS });
  return async (req) => {
    await verifyAppToken(deps.tokenKeys, deps.env.name, bearerTokenOf(req), undefined, deps.env.tokenTtlSeconds);
    let body: unknown;
    try {
      body = JSON.parse(req.body.toString("utf8"));
    } catch {
      throw new AppError(400, "invalid_json", "the body is not JSON");
    }
    const parsed = z.safeParse(replayRequestSchema, body);
    if (!parsed.success) throw new AppError(400, "invalid_request", "send {intent, profile, input}");
    const { intent, profile, input, context } = parsed.data;
    if (!replayableProfiles(deps.config, deps.env, intent).includes(profile)) {
      throw new AppError(403, "profile_not_allowed", `profile "${profile}" of intent "${intent}" cannot be replayed in ${deps.env.name}`);
    }
    const outcome = await run({ intent, input, ...(context ? { context } : {}) }, profile);
    return jsonResponse(200, outcome, PLAYGROUND_HEADERS);
  };
}
