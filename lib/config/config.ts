// What the rest of the backend sees of the config: the validated, resolved shape and the file
// names. loadConfig (zod, cross-checks) produces it at start or at build time; a built function
// embeds the result, so a cold start neither builds the config schemas nor runs them.
import type { BreakerSettings } from "../breaker/breakerSettings";
import type { BudgetSettings } from "../cost/budgetSettings";
import type { ContentSecurityPolicy } from "../contentSecurity/policy";
import type { IntentName } from "../intents/names";
import { ConfigError } from "./configError";
import type { EnvironmentName } from "./environments";
import type { Audit, FaqEntry, Limits, LogLevel, Logging, ModelsFile, Profile, Provider, Safety, ToolsFile } from "./schema";

export const CONFIG_FILES = {
  profiles: "profiles/mini-program-profiles.yaml",
  envPolicy: "profiles/env-policy.yaml",
  models: "profiles/models.yaml",
  tools: "profiles/tools.yaml",
  faq: "profiles/faq.yaml",
} as const;

/** The parsed (not yet validated) content of each file. */
export interface RawConfigFiles {
  profiles: unknown;
  envPolicy: unknown;
  models: unknown;
  tools: unknown;
  faq: unknown;
}

export interface ResolvedProfile extends Profile {
  name: string;
  intent: string;
  /** Hash of the profile's content: a changed prompt gets a new hash (cache keys, logs). */
  contentHash: string;
}

export interface ResolvedEnvironment {
  name: EnvironmentName;
  allowedProfiles: readonly string[];
  logLevel: LogLevel;
  routing: Readonly<Record<IntentName, string>>;
  tokenTtlSeconds: number;
  limits: Limits;
  modelBudgetMs: number;
  /** A stream's total cap, first byte to last. */
  streamMaxMs: number;
  breaker: BreakerSettings;
  budget: BudgetSettings;
  contentSecurity: ContentSecurityPolicy;
  safety: Safety;
  logging: Logging;
  audit: Audit;
  rollout: Readonly<Partial<Record<IntentName, { profile: string; percent: number; salt: string }>>>;
}

export interface Config {
  profiles: Readonly<Record<string, ResolvedProfile>>;
  environments: Readonly<Partial<Record<EnvironmentName, ResolvedEnvironment>>>;
  providers: Readonly<Record<string, Provider>>;
  aliases: ModelsFile["aliases"];
  prices: ModelsFile["prices"];
  tools: ToolsFile;
  faq: readonly FaqEntry[];
  /** Hash of all the files' validated content. */
  hash: string;
}

/** The policy of the environment this process serves; a missing one stops the start. */
export function environmentOf(config: Config, env: EnvironmentName): ResolvedEnvironment {
  const resolved = config.environments[env];
  if (!resolved) throw new ConfigError([`${CONFIG_FILES.envPolicy}: environments.${env}: not defined, but MINIASK_ENV=${env}`]);
  return resolved;
}

/**
 * Seconds Redis keeps an audit record (the store's audit TTL): the replay window, not retention,
 * which is the CLS topic's (issue 28). Here, not in loadConfig: a function bundle imports it
 * without the config schemas.
 */
export function auditReplayTtlSeconds(env: Pick<ResolvedEnvironment, "audit">): number {
  return env.audit.replay_days * 86_400;
}

/** The model names of an alias's chain in an environment, in order: a budget hold prices a call at the dearest of them. */
export function aliasModels(config: Pick<Config, "aliases">, env: EnvironmentName, alias: string): string[] {
  return (config.aliases[alias]?.[env] ?? []).map((entry) => entry.model);
}
