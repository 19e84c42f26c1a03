// Step 2: a published version holding exactly this code and these settings. A version whose
// Description carries the same hash is reused (a redeploy after a rollback, a rerun after a
// failure), so the same build never publishes twice.
import type { DeployContext } from "./deployContext";
import { DeployError } from "./deployError";
import { describeHash } from "./functionCode";
import type { ResolvedFunction } from "./manifest";
import type { GetFunctionRequest } from "./scfModels";
import { waitActive } from "./waitFor";

async function findPublished(ctx: DeployContext, fn: ResolvedFunction, hash: string): Promise<string | undefined> {
  const { Versions } = await ctx.api.ListVersionByFunction({ FunctionName: fn.scfName, Namespace: ctx.manifest.namespace, Limit: 100, Order: "DESC", OrderBy: "AddTime" });
  const found = (Versions ?? []).find((v) => /^\d+$/.test(v.Version) && v.Description === describeHash(hash) && v.Status !== "PublishFailed");
  return found?.Version;
}

/** The version to serve, published if need be, and Active (provisioned concurrency needs that). */
export async function ensureVersion(ctx: DeployContext, fn: ResolvedFunction, hash: string): Promise<{ version: string; published: boolean }> {
  const target: GetFunctionRequest & { FunctionName: string } = { FunctionName: fn.scfName, Namespace: ctx.manifest.namespace };
  const existing = await findPublished(ctx, fn, hash);
  if (existing) {
    await waitActive(ctx.api, ctx.clock, { ...target, Qualifier: existing });
    return { version: existing, published: false };
  }
  const { FunctionVersion } = await ctx.api.PublishVersion({ ...target, Description: describeHash(hash) });
  if (!FunctionVersion || !/^\d+$/.test(FunctionVersion)) throw new DeployError(`${fn.name}: PublishVersion answered no version number (${String(FunctionVersion)})`);
  ctx.log(`${fn.name}: published version ${FunctionVersion}`);
  await waitActive(ctx.api, ctx.clock, { ...target, Qualifier: FunctionVersion });
  return { version: FunctionVersion, published: true };
}
