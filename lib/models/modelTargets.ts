// Resolves each alias to the concrete provider chain of one environment, keys included, once at
// start. Keys live only in these objects: never in Config, a response or a log line.
import { CONFIG_FILES, type Config } from "../config/config";
import { ConfigError } from "../config/configError";
import type { EnvironmentName } from "../config/schema";

export interface ModelTarget {
  provider: string;
  model: string;
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  /** The provider accepts response_format: json_schema. */
  jsonSchema: boolean;
  /** The provider takes the OpenAI `user` field. */
  sendUser: boolean;
  /**
   * The provider's own body parameters (models.yaml `params`, e.g. DashScope's
   * `enable_thinking: false`, Hunyuan's `enable_enhancement`), checked at load against what that
   * provider documents, sent to this target only.
   */
  params?: Readonly<Record<string, string | number | boolean>>;
}

/** One OpenAI-compatible base URL that replaces every provider (MINIASK_UPSTREAM_URL). */
export interface UpstreamOverride {
  baseUrl: string;
  apiKey?: string;
}

export type ModelTargets = Readonly<Record<string, readonly ModelTarget[]>>;

type Params = NonNullable<ModelTarget["params"]>;

/** A chain entry's parameters over its provider's; none at all when neither has any. */
function paramsOf(provider: Params | undefined, entry: Params | undefined): { params?: Params } {
  const params = { ...provider, ...entry };
  return Object.keys(params).length > 0 ? { params } : {};
}

/** Aliases used by the profiles an environment may serve, their refine targets included. */
export function aliasesUsedIn(config: Config, env: EnvironmentName): string[] {
  const allowed = config.environments[env]?.allowedProfiles ?? [];
  const aliases = allowed.flatMap((name) => {
    const profile = config.profiles[name];
    if (!profile) return [];
    const refine = profile.refine ? (config.profiles[profile.refine]?.model ?? profile.refine) : undefined;
    return refine ? [profile.model, refine] : [profile.model];
  });
  return [...new Set(aliases)].filter((alias) => alias in config.aliases);
}

/** Key variables an environment's chains need, and which of them are unset. */
export function missingKeyVariables(config: Config, env: EnvironmentName, processEnv: Readonly<Record<string, string | undefined>>): string[] {
  const missing = new Set<string>();
  for (const alias of aliasesUsedIn(config, env)) {
    for (const entry of config.aliases[alias]?.[env] ?? []) {
      const keyEnv = config.providers[entry.provider]?.key_env;
      if (keyEnv && !processEnv[keyEnv]) missing.add(keyEnv);
    }
  }
  return [...missing];
}

/** None of the key variables the environment's chains need is set (dev: use the local stand-in). */
export function noProviderKeySet(config: Config, env: EnvironmentName, processEnv: Readonly<Record<string, string | undefined>>): boolean {
  const needed = new Set(aliasesUsedIn(config, env).flatMap((alias) => (config.aliases[alias]?.[env] ?? []).map((e) => config.providers[e.provider]?.key_env)));
  const missing = missingKeyVariables(config, env, processEnv);
  return [...needed].every((name) => name === undefined || missing.includes(name));
}

/**
 * Chains for every alias the environment uses. With an override every entry goes to that one
 * URL. Otherwise dev drops entries whose key is unset (a partial local setup still works),
 * while staging and prod stop the start, naming each unset variable.
 */
export function resolveModelTargets(
  config: Config,
  env: EnvironmentName,
  processEnv: Readonly<Record<string, string | undefined>>,
  override?: UpstreamOverride,
): ModelTargets {
  if (!override && env !== "dev") {
    const missing = missingKeyVariables(config, env, processEnv);
    if (missing.length > 0) {
      throw new ConfigError(missing.map((name) => `${CONFIG_FILES.models}: ${env} needs the environment variable ${name} (a provider key); set it, or set MINIASK_UPSTREAM_URL`));
    }
  }
  const targets: Record<string, ModelTarget[]> = {};
  for (const alias of aliasesUsedIn(config, env)) {
    const chain: ModelTarget[] = [];
    for (const entry of config.aliases[alias]?.[env] ?? []) {
      const provider = config.providers[entry.provider];
      if (!provider) continue;
      const apiKey = override ? (override.apiKey ?? "no-key") : processEnv[provider.key_env];
      if (!apiKey) continue;
      chain.push({
        provider: override ? `${entry.provider}@override` : entry.provider,
        model: entry.model,
        baseUrl: override ? override.baseUrl : provider.base_url,
        apiKey,
        timeoutMs: entry.timeout_ms,
        jsonSchema: entry.json_schema,
        sendUser: provider.send_user,
        // The provider's own parameters are for that provider: the override is another server.
        ...(override ? {} : paramsOf(provider.params, entry.params)),
      });
    }
    if (chain.length === 0) {
      throw new ConfigError([`${CONFIG_FILES.models}: aliases.${alias}.${env}: no provider has its key set (${missingKeyVariables(config, env, processEnv).join(", ")}); set one, or set MINIASK_UPSTREAM_URL`]);
    }
    targets[alias] = chain;
  }
  return targets;
}
