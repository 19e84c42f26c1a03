// Validates the config files and checks them against each other, once: at start (npm start,
// tests) or at build time (a function bundle embeds the result).
// Every problem is collected (not just the first) and named by file + key path.
import * as z from "zod/mini";
import { INTENT_NAMES, type IntentName, isIntentName } from "../intents/names";
import { describeIssueAt } from "../validation/describeIssue";
import { canonicalJson, sha256Hex } from "./canonicalJson";
import { ConfigError } from "./configError";
import { paramProblems } from "./providerParams";
import {
  ENVIRONMENTS,
  type EnvironmentName,
  type EnvironmentPolicy,
  type Profile,
  envPolicyFileSchema,
  faqFileSchema,
  modelsFileSchema,
  profilesFileSchema,
  toolsFileSchema,
} from "./schema";
import { CONFIG_FILES, type Config, type RawConfigFiles, type ResolvedEnvironment, type ResolvedProfile } from "./config";

export { CONFIG_FILES, auditReplayTtlSeconds, environmentOf, type Config, type RawConfigFiles, type ResolvedEnvironment, type ResolvedProfile } from "./config";

/** `summarize_v2` serves `summarize` unless the profile names its intent. */
export function intentOfProfile(name: string, profile: Pick<Profile, "intent">): string {
  return profile.intent ?? name.replace(/_v\d+$/, "");
}

function parseFile<S extends z.ZodMiniType>(schema: S, data: unknown, file: string, problems: string[]): z.infer<S> | undefined {
  const result = z.safeParse(schema, data);
  if (result.success) return result.data;
  for (const issue of result.error.issues) problems.push(`${file}: ${describeIssueAt(issue, data)}`);
  return undefined;
}

function known(names: Iterable<string>): string {
  return `(known: ${[...names].join(", ") || "none"})`;
}

type ProfilesFile = z.infer<typeof profilesFileSchema>;
type PolicyFile = z.infer<typeof envPolicyFileSchema>;
type ModelsFile = z.infer<typeof modelsFileSchema>;
type ToolsFile = z.infer<typeof toolsFileSchema>;

const P = CONFIG_FILES.profiles;
const E = CONFIG_FILES.envPolicy;
const M = CONFIG_FILES.models;

/** Each profile with its name, intent and content hash; unknown aliases, refines and tools reported. */
function resolveProfiles(profilesFile: ProfilesFile, modelsFile: ModelsFile, toolsFile: ToolsFile, problems: string[]): Record<string, ResolvedProfile> {
  const aliasNames = Object.keys(modelsFile.aliases);
  const profiles: Record<string, ResolvedProfile> = {};
  for (const [name, profile] of Object.entries(profilesFile.profiles)) {
    const intent = intentOfProfile(name, profile);
    if (!isIntentName(intent)) {
      problems.push(`${P}: profiles.${name}: serves unknown intent "${intent}" ${known(INTENT_NAMES)}; name it <intent>_v<N> or set intent:`);
    }
    if (!(profile.model in modelsFile.aliases)) {
      problems.push(`${P}: profiles.${name}.model: unknown model alias "${profile.model}" ${known(aliasNames)} in ${M}`);
    }
    if (profile.refine && !(profile.refine in modelsFile.aliases) && !(profile.refine in profilesFile.profiles)) {
      problems.push(`${P}: profiles.${name}.refine: "${profile.refine}" is neither a model alias ${known(aliasNames)} nor a profile`);
    }
    (profile.tools ?? []).forEach((tool, i) => {
      if (!(tool in toolsFile.tools)) problems.push(`${P}: profiles.${name}.tools[${i}]: unknown tool "${tool}" ${known(Object.keys(toolsFile.tools))} in ${CONFIG_FILES.tools}`);
    });
    profiles[name] = { ...profile, name, intent, contentHash: sha256Hex(canonicalJson(profile)).slice(0, 16) };
  }
  for (const profile of Object.values(profiles)) {
    const target = profile.refine ? profiles[profile.refine] : undefined;
    if (target && target.intent !== profile.intent) {
      problems.push(`${P}: profiles.${profile.name}.refine: profile "${target.name}" serves intent "${target.intent}", not "${profile.intent}"`);
    }
  }
  return profiles;
}

/** A routing table maps every known intent to an existing profile that serves it. */
function checkRouting(profiles: Record<string, ResolvedProfile>, file: string, at: string, routing: Record<string, string>, complete: boolean, problems: string[]): void {
  for (const [intent, target] of Object.entries(routing)) {
    if (!isIntentName(intent)) {
      problems.push(`${file}: ${at}.${intent}: unknown intent ${known(INTENT_NAMES)}`);
    } else if (!(target in profiles)) {
      problems.push(`${file}: ${at}.${intent}: unknown profile "${target}" ${known(Object.keys(profiles))}`);
    } else if (profiles[target]?.intent !== intent) {
      problems.push(`${file}: ${at}.${intent}: profile "${target}" serves intent "${profiles[target]?.intent}", not "${intent}"`);
    }
  }
  if (complete) {
    for (const intent of INTENT_NAMES) {
      if (!(intent in routing)) problems.push(`${file}: ${at}: intent "${intent}" has no profile`);
    }
  }
}

function checkProviders(modelsFile: ModelsFile, problems: string[]): void {
  // A provider's own parameters, by the names and types its API documents: a typo stops the
  // start instead of being sent, and ignored, on every call.
  for (const [name, provider] of Object.entries(modelsFile.providers)) {
    for (const problem of paramProblems(provider.api, provider.params ?? {})) problems.push(`${M}: providers.${name}.params.${problem}`);
  }
  for (const [name, provider] of Object.entries(modelsFile.aliases)) {
    for (const env of ENVIRONMENTS) {
      (provider[env] ?? []).forEach((entry, i) => {
        const api = modelsFile.providers[entry.provider]?.api;
        if (!api) {
          problems.push(`${M}: aliases.${name}.${env}[${i}].provider: unknown provider "${entry.provider}" ${known(Object.keys(modelsFile.providers))}`);
          return;
        }
        for (const problem of paramProblems(api, entry.params ?? {})) problems.push(`${M}: aliases.${name}.${env}[${i}].params.${problem}`);
      });
    }
  }
}

/** A rollout's target must exist, serve its intent and be allowed where it runs. */
function resolveRollout(profiles: Record<string, ResolvedProfile>, env: EnvironmentName, rolloutFile: Record<string, { profile: string; percent: number; salt?: string | undefined }>, allowed: string[], problems: string[]) {
  const rollout: Partial<Record<IntentName, { profile: string; percent: number; salt: string }>> = {};
  for (const [intent, entry] of Object.entries(rolloutFile)) {
    const at = `environments.${env}.rollout.${intent}`;
    if (!isIntentName(intent)) problems.push(`${E}: ${at}: unknown intent ${known(INTENT_NAMES)}`);
    else if (!(entry.profile in profiles)) problems.push(`${E}: ${at}.profile: unknown profile "${entry.profile}" ${known(Object.keys(profiles))}`);
    else if (profiles[entry.profile]?.intent !== intent) problems.push(`${E}: ${at}.profile: profile "${entry.profile}" serves intent "${profiles[entry.profile]?.intent}", not "${intent}"`);
    else if (!allowed.includes(entry.profile)) problems.push(`${E}: ${at}.profile: "${entry.profile}" is not allowed in ${env} (allowed: ${allowed.join(", ")}); a rollout never sends users to a profile the environment disallows`);
    else rollout[intent] = { profile: entry.profile, percent: entry.percent, salt: entry.salt ?? `${intent}:${entry.profile}` };
  }
  return rollout;
}

/**
 * The audit trail is a log line (msg "audit", level info) that CLS keeps: a log level above info
 * would drop it, and Redis's replay copy must not outlive the trail itself.
 */
function checkAuditTrail(env: EnvironmentName, policy: EnvironmentPolicy, problems: string[]): void {
  const at = `environments.${env}`;
  if (policy.log_level !== "debug" && policy.log_level !== "info") problems.push(`${E}: ${at}.log_level: "${policy.log_level}" would drop the per-request audit line (level info); use info or debug`);
  if (policy.audit.replay_days > policy.audit.retention_days) problems.push(`${E}: ${at}.audit.replay_days: ${policy.audit.replay_days} days in Redis exceeds retention_days (${policy.audit.retention_days})`);
}

/** One environment's policy, resolved: what it may serve, how it routes, and its settings. */
function resolveEnvironment(env: EnvironmentName, policyFile: PolicyFile, profilesFile: ProfilesFile, modelsFile: ModelsFile, profiles: Record<string, ResolvedProfile>, problems: string[]): ResolvedEnvironment | undefined {
  const policy = policyFile.environments[env];
  if (!policy) return undefined;
  const at = `environments.${env}`;
  policy.allowed_profiles.forEach((name, i) => {
    if (!(name in profiles)) problems.push(`${E}: ${at}.allowed_profiles[${i}]: unknown profile "${name}" ${known(Object.keys(profiles))}`);
  });
  if (policy.routing) checkRouting(profiles, E, `${at}.routing`, policy.routing, false, problems);
  const allowed = [...new Set([...policy.allowed_profiles, ...(policyFile.every_environment?.allowed_profiles ?? [])])];
  const routing = { ...profilesFile.routing, ...policy.routing } as Record<IntentName, string>;
  for (const intent of INTENT_NAMES) {
    const target = routing[intent];
    if (target === undefined || !(target in profiles)) continue; // already reported above
    if (!allowed.includes(target)) {
      problems.push(`${E}: ${at}: cannot serve intent "${intent}": it routes to "${target}", which ${env} does not allow (allowed: ${allowed.join(", ")}); allow it or add ${at}.routing.${intent}`);
    }
  }
  for (const name of allowed) {
    const alias = profiles[name]?.model;
    if (alias && modelsFile.aliases[alias] && !modelsFile.aliases[alias][env]) {
      problems.push(`${M}: aliases.${alias}.${env}: missing, but profile "${name}" (allowed in ${env}) uses alias "${alias}"`);
    }
  }
  const rollout = resolveRollout(profiles, env, policy.rollout, allowed, problems);
  checkAuditTrail(env, policy, problems);
  for (const [from, to] of Object.entries(policy.budget.degrade_to)) {
    for (const alias of [from, to]) if (!(alias in modelsFile.aliases)) problems.push(`${E}: ${at}.budget.degrade_to: unknown model alias "${alias}" ${known(Object.keys(modelsFile.aliases))} in ${M}`);
  }
  return { name: env, rollout, allowedProfiles: allowed, logLevel: policy.log_level, routing, tokenTtlSeconds: policy.token_ttl_minutes * 60, limits: policy.limits, modelBudgetMs: policy.model_budget_ms, streamMaxMs: policy.model_stream_max_ms, breaker: policy.breaker, budget: policy.budget, contentSecurity: policy.content_security, safety: policy.safety, logging: policy.logging, audit: policy.audit };
}

export function loadConfig(raw: RawConfigFiles): Config {
  const problems: string[] = [];
  const profilesFile = parseFile(profilesFileSchema, raw.profiles, CONFIG_FILES.profiles, problems);
  const policyFile = parseFile(envPolicyFileSchema, raw.envPolicy, CONFIG_FILES.envPolicy, problems);
  const modelsFile = parseFile(modelsFileSchema, raw.models, CONFIG_FILES.models, problems);
  const toolsFile = parseFile(toolsFileSchema, raw.tools, CONFIG_FILES.tools, problems);
  const faq = parseFile(faqFileSchema, raw.faq, CONFIG_FILES.faq, problems);
  if (!profilesFile || !policyFile || !modelsFile || !toolsFile || !faq) throw new ConfigError(problems);

  const profiles = resolveProfiles(profilesFile, modelsFile, toolsFile, problems);
  checkRouting(profiles, P, "routing", profilesFile.routing, true, problems);
  checkProviders(modelsFile, problems);
  (policyFile.every_environment?.allowed_profiles ?? []).forEach((name, i) => {
    if (!(name in profiles)) problems.push(`${E}: every_environment.allowed_profiles[${i}]: unknown profile "${name}" ${known(Object.keys(profiles))}`);
  });
  const environments: Partial<Record<EnvironmentName, ResolvedEnvironment>> = {};
  for (const env of ENVIRONMENTS) {
    const resolved = resolveEnvironment(env, policyFile, profilesFile, modelsFile, profiles, problems);
    if (resolved) environments[env] = resolved;
  }
  if (Object.keys(environments).length === 0) problems.push(`${E}: environments: expected at least one of ${ENVIRONMENTS.join(", ")}`);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    profiles,
    environments,
    providers: modelsFile.providers,
    aliases: modelsFile.aliases,
    prices: modelsFile.prices,
    tools: toolsFile,
    faq,
    hash: sha256Hex(canonicalJson({ profilesFile, policyFile, modelsFile, toolsFile, faq })).slice(0, 16),
  };
}
