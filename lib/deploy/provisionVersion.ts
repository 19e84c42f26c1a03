// Step 3: provisioned concurrency on the version about to serve, before the alias moves to it,
// so its instances are warm when traffic arrives. Never on $LATEST (provisionedRequest refuses).
import type { DeployContext } from "./deployContext";
import type { ResolvedFunction } from "./manifest";
import { provisionedApplied, provisionedRequest } from "./provisioned";
import { errorCode } from "./scfApi";
import type { PutProvisionedConcurrencyConfigRequest, VersionProvisionedConcurrencyInfo } from "./scfModels";
import { waitProvisioned } from "./waitFor";

// The version can read Active on GetFunction and still be refused for a moment; the API says
// so with these codes, and the same call succeeds once it settles.
const RETRY_CODES = new Set(["FailedOperation.FunctionVersionStatusNotActive", "FailedOperation.ProvisionedInProgress"]);

async function put(ctx: DeployContext, req: PutProvisionedConcurrencyConfigRequest): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.api.PutProvisionedConcurrencyConfig(req);
      return;
    } catch (err) {
      const code = errorCode(err);
      if (!code || !RETRY_CODES.has(code) || attempt >= ctx.clock.attempts) throw err;
      ctx.log(`${req.FunctionName} version ${req.Qualifier}: ${code}, retrying`);
      await ctx.clock.sleep(ctx.clock.intervalMs);
    }
  }
}

export async function readProvisioned(ctx: DeployContext, fn: ResolvedFunction): Promise<VersionProvisionedConcurrencyInfo[]> {
  const { Allocated } = await ctx.api.GetProvisionedConcurrencyConfig({ FunctionName: fn.scfName, Namespace: ctx.manifest.namespace });
  return Allocated ?? [];
}

/** Puts the stage's setting on `version` unless it is already in force; true when it wrote. */
export async function provisionVersion(ctx: DeployContext, fn: ResolvedFunction, version: string, configs: VersionProvisionedConcurrencyInfo[], aliasDescription: string | undefined): Promise<boolean> {
  if (!fn.provisioned) return false;
  const info = configs.find((c) => c.Qualifier === version);
  if (provisionedApplied(info, version, fn.provisioned, aliasDescription)) return false;
  const req = provisionedRequest(fn.scfName, ctx.manifest.namespace, version, fn.provisioned);
  ctx.log(`${fn.name}: provisioned concurrency (${fn.provisioned.mode}) on version ${version}`);
  await put(ctx, req);
  await waitProvisioned(ctx.api, ctx.provisionClock, { FunctionName: fn.scfName, Namespace: ctx.manifest.namespace, Qualifier: version });
  return true;
}

/** Releases what versions no longer serving hold (idle provisioned instances are billed). */
export async function releaseProvisioned(ctx: DeployContext, fn: ResolvedFunction, configs: VersionProvisionedConcurrencyInfo[], keep: ReadonlySet<string>): Promise<void> {
  for (const config of configs) {
    if (!config.Qualifier || keep.has(config.Qualifier)) continue;
    ctx.log(`${fn.name}: release provisioned concurrency of version ${config.Qualifier}`);
    await ctx.api.DeleteProvisionedConcurrencyConfig({ FunctionName: fn.scfName, Namespace: ctx.manifest.namespace, Qualifier: config.Qualifier });
  }
}
