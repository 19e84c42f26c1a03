import { createHash } from "node:crypto";
import { AppError } from "../appError";
import type { Config, ResolvedEnvironment, ResolvedProfile } from "../config/loadConfig";
import type { IntentName } from "../intents/names";

/** Which arm served a request: the routing, a rollout's share of users, or a requested version. */
export type Arm = "control" | "rollout" | "requested";

/** A user's stable place in [0, 100): the same user, intent and salt always land in the same spot. */
export function rolloutBucket(userId: string, intent: string, salt: string): number {
  return createHash("sha256").update(`${salt}\u0000${intent}\u0000${userId}`).digest().readUInt32BE(0) / 2 ** 32 * 100;
}

/**
 * The profile that serves this user's request, and why: a requested version when it serves
 * this intent and this environment allows it; else a rollout's share of users; else the
 * routing. The client is never trusted. /v1/mini/flags answers from this same function.
 */
export function chooseProfile(config: Config, env: ResolvedEnvironment, intent: IntentName, userId: string, requested?: string): { profile: ResolvedProfile; arm: Arm } {
  if (requested !== undefined) return { profile: resolveProfile(config, env, intent, requested), arm: "requested" };
  const rollout = env.rollout[intent];
  const inRollout = rollout !== undefined && rolloutBucket(userId, intent, rollout.salt) < rollout.percent;
  return { profile: resolveProfile(config, env, intent, inRollout ? rollout.profile : undefined), arm: inRollout ? "rollout" : "control" };
}

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
