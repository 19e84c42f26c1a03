// Everything a process (a deployed function or the local server) builds once at start, from
// its environment variables and config files. Any mistake throws ConfigError here, at start.
import { contentDigestKey, contentDigestOf } from "../identity/contentDigest";
import { authenticateAppToken } from "../auth/authenticate";
import type { WechatApp } from "../auth/code2Session";
import { type TokenKeys, parseTokenKeys } from "../auth/tokenKeys";
import { ConfigError } from "../config/configError";
import { type Config, type ResolvedEnvironment, environmentOf } from "../config/config";
import { openOpenid } from "../contentSecurity/openidSeal";
import type { Handler } from "../http/router";
import type { Intent } from "../intents/intent";
import type { IntentName } from "../intents/names";
import { type ModelTarget, type ModelTargets, type UpstreamOverride, resolveModelTargets } from "../models/modelTargets";
import type { LoadedSecrets } from "../secrets/loadSecrets";
import { followProviderKeys, providerKeyRefresher } from "../secrets/providerKeys";
import { refreshingTokenVerifier } from "../secrets/refreshingTokenVerifier";
import { maskUrlCredentials } from "../secrets/maskUrl";
import { createStore } from "../store/createStore";
import type { Store } from "../store/store";
import { type App, createApp } from "./createApp";
import { type Settings, readSettings } from "./settings";

// Public on purpose, like the dev token key: dev userIds only, and no other environment starts without its own.
const DEV_USER_ID_SALT = "miniask-dev-only-user-id-salt-never-valid-outside-dev";

/** WeChat app and userId salt: required in staging and prod, optional (dev salt) in dev. */
function loginSettings(settings: Settings): { wechat: WechatApp | undefined; userIdSalt: string } {
  const env = settings.MINIASK_ENV;
  const missing = (["WECHAT_APPID", "WECHAT_SECRET", "MINIASK_USER_ID_SALT"] as const).filter((name) => !settings[name]);
  if (env !== "dev" && missing.length > 0) {
    throw new ConfigError(missing.map((name) => `environment variable ${name}: required in ${env} to serve POST /v1/mini/login`));
  }
  const wechat = settings.WECHAT_APPID && settings.WECHAT_SECRET ? { appId: settings.WECHAT_APPID, secret: settings.WECHAT_SECRET, apiBase: settings.WECHAT_API_BASE } : undefined;
  return { wechat, userIdSalt: settings.MINIASK_USER_ID_SALT ?? DEV_USER_ID_SALT };
}

/**
 * Staging and prod need a shared store: on the in-memory one every SCF instance keeps its own
 * limits (multiplied by the instance count), quota, cache and audit records (gone with the
 * instance). A forgotten variable must stop the start, not degrade it; memory there only when
 * asked for by name (and said loudly at start).
 */
function requireSharedStore(settings: Settings): string | undefined {
  const env = settings.MINIASK_ENV;
  if (env !== "dev" && settings.MINIASK_STORE === undefined) {
    throw new ConfigError([`environment variable MINIASK_STORE: required in ${env} (redis://host:port[/db] or upstash): without a shared store every instance keeps its own limits, quota, cache and audit records; set MINIASK_STORE=memory only if you mean that`]);
  }
  return settings.MINIASK_STORE;
}

/**
 * WeChat's content check needs the Mini Program's AppID and secret (for its access_token). Prod
 * refuses to start without them when its policy turns the check on; elsewhere a warning says
 * every check will be unavailable.
 */
function contentSecurityApp(config: Config, settings: Settings): { on: boolean; app?: WechatApp } {
  const env = settings.MINIASK_ENV;
  const policy = environmentOf(config, env).contentSecurity;
  const on = policy.input || policy.output;
  if (!on) return { on };
  if (settings.WECHAT_APPID && settings.WECHAT_SECRET) return { on, app: { appId: settings.WECHAT_APPID, secret: settings.WECHAT_SECRET, apiBase: settings.WECHAT_API_BASE } };
  if (env === "prod") throw new ConfigError([`environment variables WECHAT_APPID, WECHAT_SECRET: required in prod, where content_security is on (profiles/env-policy.yaml): WeChat's check needs the Mini Program's access_token`]);
  return { on };
}

/** A sealed openid is opened with whichever of this environment's token keys sealed it. */
function openidOpener(keys: TokenKeys): (sealed: string | undefined) => Promise<string | undefined> {
  return async (sealed) => {
    if (!sealed) return undefined;
    // The keys as they are now: re-read from SSM, they change while the process runs.
    for (const { secret } of keys.byKid.values()) {
      const openid = await openOpenid(sealed, secret);
      if (openid) return openid;
    }
    return undefined;
  };
}

export interface ProcessApp {
  app: App;
  config: Config;
  settings: Settings;
  tokenKeys: TokenKeys;
  /** What the start-up line says: environment, config hash, upstream, token keys. */
  startupNotes: string[];
  /** Re-reads the key a provider refused (401/403) when it came from SSM; false otherwise. */
  refreshProviderKey: (target: Pick<ModelTarget, "provider">) => Promise<boolean>;
}

export function createProcessApp(options: {
  processEnv: Readonly<Record<string, string | undefined>>;
  /** Validated by loadConfig: at start (npm start, tests) or at build time (a function bundle). */
  config: Config;
  intents: Partial<Record<IntentName, Intent>>;
  /** Wins over MINIASK_UPSTREAM_URL (the local server's embedded upstream). */
  upstreamOverride?: UpstreamOverride;
  logWrite?: (line: string) => void;
  /** A store built by the caller (tests); otherwise MINIASK_STORE decides. */
  store?: Store;
  /** Serve POST /v1/mini/login. */
  serveLogin?: boolean;
  /** Routes of the local server only (the playground, which serves dev and staging, never prod). */
  extraRoutes?: (deps: { config: Config; env: ResolvedEnvironment; models: ModelTargets; tokenKeys: TokenKeys }) => Record<string, Handler>;
  /** The `ssm:` variables, already read into processEnv (lib/secrets/loadSecrets): they follow re-reads. */
  secrets?: Pick<LoadedSecrets, "fromSsm" | "refresh">;
}): ProcessApp {
  const { extraRoutes } = options;
  const settings = readSettings(options.processEnv);
  const envName = settings.MINIASK_ENV;
  const config = options.config;
  const fromEnv = settings.MINIASK_UPSTREAM_URL
    ? { baseUrl: settings.MINIASK_UPSTREAM_URL, ...(settings.MINIASK_UPSTREAM_KEY ? { apiKey: settings.MINIASK_UPSTREAM_KEY } : {}) }
    : undefined;
  const upstreamOverride = options.upstreamOverride ?? fromEnv;
  // Every missing or bad variable is reported at once, so one restart fixes them all.
  const problems: string[] = [];
  const collect = <T>(build: () => T): T | undefined => {
    try {
      return build();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  };
  const parsedKeys = collect(() => parseTokenKeys(options.processEnv.MINIASK_TOKEN_KEYS, envName));
  const login = options.serveLogin ? collect(() => loginSettings(settings)) : undefined;
  const models = Object.keys(options.intents).length > 0 ? collect(() => resolveModelTargets(config, envName, options.processEnv, upstreamOverride)) : {};
  const store = collect(() => options.store ?? createStore(requireSharedStore(settings), options.processEnv));
  const contentSecurity = collect(() => contentSecurityApp(config, settings));
  if (problems.length > 0 || !parsedKeys || !models || !store) throw new ConfigError(problems);
  const limitsOff = settings.MINIASK_RATE_LIMITS === "off" && envName === "dev";
  const secrets = options.secrets ?? { fromSsm: new Set<string>(), refresh: async () => false };
  // A token may not claim to live longer than this environment issues them for.
  const { tokenKeys, verifyToken } = refreshingTokenVerifier({ initial: parsedKeys, env: envName, maxTtlSeconds: environmentOf(config, envName).tokenTtlSeconds, variables: options.processEnv, refresh: secrets.refresh });
  followProviderKeys(config, models, options.processEnv, secrets.fromSsm);
  const refreshProviderKey = providerKeyRefresher(config, secrets.refresh);
  // Logged content digests are keyed with a key derived from the user-id salt: stable across
  // instances (support matches lines), irreversible without the salt (lib/identity/contentDigest).
  const salt = settings.MINIASK_USER_ID_SALT ?? (envName === "dev" ? DEV_USER_ID_SALT : undefined);
  const app = createApp({
    config,
    ...(salt ? { contentDigest: contentDigestOf(contentDigestKey(salt)) } : {}),
    onProviderKeyRejected: refreshProviderKey,
    envName,
    models,
    intents: options.intents,
    authenticate: authenticateAppToken(verifyToken.claims),
    verifyToken,
    ...(options.logWrite ? { logWrite: options.logWrite } : {}),
    ...(login ? { login: { ...login, tokenKeys } } : {}),
    store,
    storePrefix: settings.MINIASK_STORE_PREFIX ?? `miniask:${envName}:`,
    limitsOff,
    ...(settings.MINIASK_STORE_TIMEOUT_MS ? { storeTimeoutMs: Number(settings.MINIASK_STORE_TIMEOUT_MS) } : {}),
    ...(contentSecurity?.app ? { contentSecurityApp: contentSecurity.app } : {}),
    openidOf: openidOpener(tokenKeys),
    ...(settings.MINIASK_WARMUP_KEY ? { warmupKey: settings.MINIASK_WARMUP_KEY } : {}),
    ...(extraRoutes ? { extraRoutes: (deps: { config: Config; env: ResolvedEnvironment; models: ModelTargets }) => extraRoutes({ ...deps, tokenKeys }) } : {}),
  });
  const startupNotes = [
    `env ${envName}, config ${config.hash}, intents ${Object.keys(options.intents).join(", ")}`,
    fromEnv && !options.upstreamOverride
      ? `upstream: every provider points at MINIASK_UPSTREAM_URL=${maskUrlCredentials(fromEnv.baseUrl)}`
      : upstreamOverride
        ? `upstream: ${maskUrlCredentials(upstreamOverride.baseUrl)}`
        : `upstream: providers from profiles/models.yaml (${Object.entries(app.models).map(([alias, chain]) => `${alias} -> ${chain.map((t) => `${t.provider}/${t.model}`).join(" > ")}`).join("; ")})`,
    tokenKeys.builtInDevKey
      ? `tokens: the built-in DEV key "${tokenKeys.signing.kid}" (set MINIASK_TOKEN_KEYS to use your own; no other environment accepts it)`
      : `tokens: signing with kid "${tokenKeys.signing.kid}", verifying ${[...tokenKeys.byKid.keys()].join(", ")}`,
    `store: ${store.kind}${settings.MINIASK_STORE && store.kind === "redis" ? ` (${maskUrlCredentials(settings.MINIASK_STORE)})` : ""}, key prefix "${settings.MINIASK_STORE_PREFIX ?? `miniask:${envName}:`}"`,
    ...(contentSecurity?.on ? [contentSecurity.app ? `content security: WeChat msgSecCheck via ${maskUrlCredentials(contentSecurity.app.apiBase)} (${[app.env.contentSecurity.input ? "input" : "", app.env.contentSecurity.output ? "output" : ""].filter(Boolean).join(" + ")}, on_unavailable ${app.env.contentSecurity.on_unavailable})` : `WARNING: content_security is on in ${envName} but WECHAT_APPID / WECHAT_SECRET are unset: every check is unavailable (on_unavailable: ${app.env.contentSecurity.on_unavailable})`] : []),
    ...(envName !== "dev" && store.kind === "memory"
      ? [`WARNING: MINIASK_STORE=memory in ${envName}: limits, quota, cache and audit records are per instance and vanish with it`]
      : []),
    ...(settings.MINIASK_RATE_LIMITS === "off"
      ? [limitsOff ? "WARNING: MINIASK_RATE_LIMITS=off: no rate limits and no quotas (dev only; for benchmarks)" : `WARNING: MINIASK_RATE_LIMITS=off is ignored in ${envName}: limits stay on`]
      : []),
    ...(secrets.fromSsm.size > 0 ? [`secrets from SSM: ${[...secrets.fromSsm].sort().join(", ")}`] : []),
    ...(login ? [login.wechat ? `login: WeChat app ${login.wechat.appId} via ${maskUrlCredentials(login.wechat.apiBase)}` : "login: WeChat not configured (WECHAT_APPID, WECHAT_SECRET): POST /v1/mini/login answers 503; use npm run token"] : []),
  ];
  return { app, config, settings, tokenKeys, startupNotes, refreshProviderKey };
}
