import type { RawConfigFiles } from "../../lib/config/loadConfig";
import type { Limits } from "../../lib/config/schema";
import { realConfigFiles } from "./harness";

type Json = Record<string, any>;

/** The real config files with one environment's limits changed. */
export function filesWithLimits(env: "dev" | "staging" | "prod", limits: Partial<Limits>): RawConfigFiles {
  const files = structuredClone(realConfigFiles()) as { profiles: Json; envPolicy: Json; models: Json };
  const current = files.envPolicy.environments[env].limits;
  files.envPolicy.environments[env].limits = { ...current, ...limits };
  return files as RawConfigFiles;
}

/** The real config files without any profile's `refine:` (no background model calls). */
export function filesWithoutRefine(): RawConfigFiles {
  const files = structuredClone(realConfigFiles()) as { profiles: Json };
  for (const profile of Object.values(files.profiles.profiles as Record<string, Json>)) delete profile.refine;
  return files as unknown as RawConfigFiles;
}

/** The real config files with a rollout for one intent in one environment. */
export function filesWithRollout(env: "dev" | "staging" | "prod", intent: string, rollout: { profile: string; percent: number; salt?: string }): RawConfigFiles {
  const files = structuredClone(realConfigFiles()) as { profiles: Json; envPolicy: Json; models: Json };
  files.envPolicy.environments[env].rollout = { ...files.envPolicy.environments[env].rollout, [intent]: rollout };
  return files as unknown as RawConfigFiles;
}

/** The real config files with every provider chain entry declaring structured output (json_schema). */
export function filesWithJsonSchemaProviders(): RawConfigFiles {
  const files = structuredClone(realConfigFiles()) as { models: Json };
  for (const alias of Object.values(files.models.aliases as Record<string, Record<string, Json[]>>)) {
    for (const chain of Object.values(alias)) for (const entry of chain) entry.json_schema = true;
  }
  return files as unknown as RawConfigFiles;
}

/** The real config files with a money budget on one environment, and request limits high enough that only the budget refuses. */
export function filesWithBudget(env: "dev" | "staging" | "prod", budget: Json): RawConfigFiles {
  const files = structuredClone(realConfigFiles()) as { envPolicy: Json };
  const policy = files.envPolicy.environments[env];
  policy.budget = budget;
  policy.limits = { ...policy.limits, per_user_intent: { requests: 1000, window_seconds: 60 }, per_user: { requests: 1000, window_seconds: 60 } };
  return files as unknown as RawConfigFiles;
}
