import { AppError } from "../appError";
import type { Config, ResolvedEnvironment, ResolvedProfile } from "../config/loadConfig";
import type { IntentName } from "../intents/names";

/**
 * The profile that serves this request: the environment's routing, or a requested version
 * when it serves this intent and this environment allows it. The client is never trusted.
 */
export function resolveProfile(config: Config, env: ResolvedEnvironment, intent: IntentName, requested?: string): ResolvedProfile {
  const name = requested ?? env.routing[intent];
  const profile = config.profiles[name];
  if (!profile || !env.allowedProfiles.includes(name)) {
    throw new AppError(403, "profile_not_allowed", `profile "${name}" is not served in ${env.name}`);
  }
  if (profile.intent !== intent) {
    throw new AppError(403, "profile_intent_mismatch", `profile "${name}" serves intent "${profile.intent}", not "${intent}"`);
  }
  return profile;
}
