// Step 4: the alias (what the Function URLs serve) points at the version, with the previous
// one keeping the canary share; or, on --rollback, back at the previous one alone.
import type { DeployContext } from "./deployContext";
import { DeployError } from "./deployError";
import type { ResolvedFunction } from "./manifest";
import { isNotFound } from "./scfApi";
import type { CreateAliasRequest, GetAliasResponse, VersionWeight } from "./scfModels";

export async function readAlias(ctx: DeployContext, fn: ResolvedFunction): Promise<GetAliasResponse | undefined> {
  try {
    return await ctx.api.GetAlias({ FunctionName: fn.scfName, Namespace: ctx.manifest.namespace, Name: ctx.manifest.alias });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export const canaryVersion = (alias: GetAliasResponse | undefined): string | undefined => alias?.RoutingConfig?.AdditionalVersionWeights?.[0]?.Version;

function weightsEqual(a: VersionWeight[], b: VersionWeight[]): boolean {
  return a.length === b.length && a.every((w, i) => w.Version === b[i]?.Version && w.Weight === b[i]?.Weight);
}

/**
 * The routing after this deploy. A new version: the one serving now keeps `weight` of the
 * traffic (the API allows one additional version, never the main one). The same version: the
 * routing stays, unless --canary was given, which re-weights or (0) ends the canary.
 */
export function routingFor(alias: GetAliasResponse | undefined, version: string, weight: number, weightGiven: boolean): VersionWeight[] {
  const current = alias?.FunctionVersion;
  const existing = alias?.RoutingConfig?.AdditionalVersionWeights ?? [];
  if (current === undefined) return [];
  if (current !== version) return weight > 0 ? [{ Version: current, Weight: weight }] : [];
  if (!weightGiven) return existing;
  const previous = existing[0]?.Version;
  return weight > 0 && previous ? [{ Version: previous, Weight: weight }] : [];
}

/** Creates or updates the alias when anything differs; true when it wrote. */
export async function pointAlias(ctx: DeployContext, fn: ResolvedFunction, alias: GetAliasResponse | undefined, version: string, routing: VersionWeight[], description: string): Promise<boolean> {
  const target: CreateAliasRequest = { FunctionName: fn.scfName, Namespace: ctx.manifest.namespace, Name: ctx.manifest.alias, FunctionVersion: version, Description: description };
  if (!alias) {
    ctx.log(`${fn.name}: alias ${ctx.manifest.alias} -> version ${version}`);
    await ctx.api.CreateAlias(target);
    return true;
  }
  const same = alias.FunctionVersion === version && alias.Description === description && weightsEqual(alias.RoutingConfig?.AdditionalVersionWeights ?? [], routing);
  if (same) return false;
  const canary = routing[0] ? ` (version ${routing[0].Version} keeps ${Math.round(routing[0].Weight * 100)}%)` : "";
  ctx.log(`${fn.name}: alias ${ctx.manifest.alias} -> version ${version}${canary}`);
  // RoutingConfig always sent: an empty list ends a canary in so many words.
  await ctx.api.UpdateAlias({ ...target, RoutingConfig: { AdditionalVersionWeights: routing } });
  return true;
}

/** --rollback: everything to the version the canary kept; returns it. */
export async function rollbackAlias(ctx: DeployContext, fn: ResolvedFunction, alias: GetAliasResponse | undefined): Promise<string> {
  const previous = canaryVersion(alias);
  if (!alias || !previous) throw new DeployError(`${fn.name}: nothing to roll back to (alias ${ctx.manifest.alias} has no previous version; a deploy with --canary 0 keeps none)`);
  ctx.log(`${fn.name}: roll back ${ctx.manifest.alias} to version ${previous}`);
  await ctx.api.UpdateAlias({
    FunctionName: fn.scfName,
    Namespace: ctx.manifest.namespace,
    Name: ctx.manifest.alias,
    FunctionVersion: previous,
    RoutingConfig: { AdditionalVersionWeights: [] },
    Description: `miniask rolled back from ${alias.FunctionVersion ?? "?"}`,
  });
  return previous;
}
