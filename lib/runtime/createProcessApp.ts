// Everything a process (a deployed function or the local server) builds once at start, from
// its environment variables and config files. Any mistake throws ConfigError here, at start.
import { verifyAppToken } from "../auth/appToken";
import { authenticateAppToken } from "../auth/authenticate";
import { type TokenKeys, parseTokenKeys } from "../auth/tokenKeys";
import { type Config, type RawConfigFiles, loadConfig } from "../config/loadConfig";
import type { Intent } from "../intents/intent";
import type { IntentName } from "../intents/names";
import type { UpstreamOverride } from "../models/modelTargets";
import type { Logger } from "../observability/logger";
import { type App, createApp } from "./createApp";
import { type Settings, readSettings } from "./settings";

export interface ProcessApp {
  app: App;
  config: Config;
  settings: Settings;
  tokenKeys: TokenKeys;
  /** What the start-up line says: environment, config hash, upstream, token keys. */
  startupNotes: string[];
}

export function createProcessApp(options: {
  processEnv: Readonly<Record<string, string | undefined>>;
  rawFiles: RawConfigFiles;
  intents: Partial<Record<IntentName, Intent>>;
  /** Wins over MINIASK_UPSTREAM_URL (the local server's embedded upstream). */
  upstreamOverride?: UpstreamOverride;
  logger?: Logger;
}): ProcessApp {
  const settings = readSettings(options.processEnv);
  const envName = settings.MINIASK_ENV;
  const config = loadConfig(options.rawFiles);
  const fromEnv = settings.MINIASK_UPSTREAM_URL
    ? { baseUrl: settings.MINIASK_UPSTREAM_URL, ...(settings.MINIASK_UPSTREAM_KEY ? { apiKey: settings.MINIASK_UPSTREAM_KEY } : {}) }
    : undefined;
  const upstreamOverride = options.upstreamOverride ?? fromEnv;
  const tokenKeys = parseTokenKeys(options.processEnv.MINIASK_TOKEN_KEYS, envName);
  const app = createApp({
    config,
    envName,
    processEnv: options.processEnv,
    intents: options.intents,
    authenticate: authenticateAppToken((token) => verifyAppToken(tokenKeys, envName, token)),
    ...(upstreamOverride ? { upstreamOverride } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const startupNotes = [
    `env ${envName}, config ${config.hash}, intents ${Object.keys(options.intents).join(", ")}`,
    fromEnv && !options.upstreamOverride
      ? `upstream: every provider points at MINIASK_UPSTREAM_URL=${fromEnv.baseUrl}`
      : upstreamOverride
        ? `upstream: ${upstreamOverride.baseUrl}`
        : `upstream: providers from profiles/models.yaml (${Object.entries(app.models).map(([alias, chain]) => `${alias} -> ${chain.map((t) => `${t.provider}/${t.model}`).join(" > ")}`).join("; ")})`,
    tokenKeys.builtInDevKey
      ? `tokens: the built-in DEV key "${tokenKeys.signing.kid}" (set MINIASK_TOKEN_KEYS to use your own; no other environment accepts it)`
      : `tokens: signing with kid "${tokenKeys.signing.kid}", verifying ${[...tokenKeys.byKid.keys()].join(", ")}`,
  ];
  return { app, config, settings, tokenKeys, startupNotes };
}
