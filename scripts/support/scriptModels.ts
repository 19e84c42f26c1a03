// Model chains for operator scripts (replay, eval), by the same rules as npm start: provider
// keys, MINIASK_UPSTREAM_URL, or, in dev with no key at all, the local stand-in upstream.
import type { Config } from "../../lib/config/loadConfig";
import type { EnvironmentName } from "../../lib/config/schema";
import { type ModelTargets, noProviderKeySet, resolveModelTargets } from "../../lib/models/modelTargets";
import type { Settings } from "../../lib/runtime/settings";
import { startLocalUpstream } from "../local-upstream/server";

export async function scriptModels(config: Config, env: EnvironmentName, settings: Settings, processEnv: Readonly<Record<string, string | undefined>>): Promise<{ models: ModelTargets; close(): Promise<void> }> {
  if (!settings.MINIASK_UPSTREAM_URL && env === "dev" && noProviderKeySet(config, env, processEnv)) {
    const upstream = await startLocalUpstream();
    console.error(`note: no provider key set: running against the LOCAL STAND-IN upstream (${upstream.url}), not a model`);
    return { models: resolveModelTargets(config, env, processEnv, { baseUrl: upstream.url }), close: () => upstream.close() };
  }
  const override = settings.MINIASK_UPSTREAM_URL ? { baseUrl: settings.MINIASK_UPSTREAM_URL, ...(settings.MINIASK_UPSTREAM_KEY ? { apiKey: settings.MINIASK_UPSTREAM_KEY } : {}) } : undefined;
  return { models: resolveModelTargets(config, env, processEnv, override), close: async () => undefined };
}

/** Where scripts read profiles/ from: the repository, or MINIASK_CONFIG_ROOT (tests, experiments). */
export function configRoot(repoRoot: string): string {
  return process.env.MINIASK_CONFIG_ROOT || repoRoot;
}
