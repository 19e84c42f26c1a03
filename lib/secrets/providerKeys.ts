// Provider keys that follow their SSM secret. A target's apiKey is read on every request
// (openaiWire/exchange.ts builds the Authorization header from it), so a getter over the
// process's variables makes a re-read key used from the next call on, with no rebuild.
import type { Config } from "../config/config";
import type { ModelTarget, ModelTargets } from "../models/modelTargets";

const OVERRIDE_SUFFIX = "@override";

/** The environment variable a target's key came from (MINIASK_UPSTREAM_KEY for the override). */
export function keyVariableOf(config: Config, target: Pick<ModelTarget, "provider">): string | undefined {
  if (target.provider.endsWith(OVERRIDE_SUFFIX)) return "MINIASK_UPSTREAM_KEY";
  return config.providers[target.provider]?.key_env;
}

/** Points every target whose key variable is an `ssm:` one at the live value in `variables`. */
export function followProviderKeys(config: Config, targets: ModelTargets, variables: Readonly<Record<string, string | undefined>>, fromSsm: ReadonlySet<string>): void {
  for (const chain of Object.values(targets)) {
    for (const target of chain) {
      const variable = keyVariableOf(config, target);
      if (!variable || !fromSsm.has(variable)) continue;
      const initial = target.apiKey;
      Object.defineProperty(target, "apiKey", { enumerable: true, get: () => variables[variable] ?? initial });
    }
  }
}

/**
 * What a provider's refusal of our key (401/403) calls: re-read that target's key from SSM; the
 * next call (a retry, the next request) then sends the new one.
 */
export function providerKeyRefresher(config: Config, refresh: (variable: string) => Promise<boolean>): (target: Pick<ModelTarget, "provider">) => Promise<boolean> {
  return async (target) => {
    const variable = keyVariableOf(config, target);
    return variable ? refresh(variable) : false;
  };
}
