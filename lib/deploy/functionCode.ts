// Step 1 of a function's deploy: $LATEST holds the built code and settings. The function's
// Description carries a hash of both, so unchanged code and settings are never sent again.
import { createHash } from "node:crypto";
import type { DeployContext } from "./deployContext";
import type { ResolvedFunction } from "./manifest";
import { isNotFound } from "./scfApi";
import type { GetFunctionRequest, GetFunctionResponse, UpdateFunctionConfigurationRequest, Variable } from "./scfModels";
import { waitActive } from "./waitFor";

const HASH_PREFIX = "miniask ";

export const describeHash = (hash: string): string => `${HASH_PREFIX}${hash}`;

/** Code and settings together: a changed memory size or variable is a new version too. */
export function codeHash(zip: Uint8Array, fn: ResolvedFunction, ctx: Pick<DeployContext, "manifest">): string {
  const { runtime, vpc } = ctx.manifest;
  const settings = { type: fn.type, handler: fn.handler, memorySize: fn.memorySize, timeout: fn.timeout, initTimeout: fn.initTimeout, environment: fn.environment, vpc, runtime };
  return createHash("sha256").update(zip).update(JSON.stringify(settings)).digest("hex").slice(0, 16);
}

function variables(environment: Record<string, string>): Variable[] {
  return Object.entries(environment).map(([Key, Value]) => ({ Key, Value }));
}

export async function readFunction(ctx: DeployContext, scfName: string): Promise<GetFunctionResponse | undefined> {
  try {
    return await ctx.api.GetFunction({ FunctionName: scfName, Namespace: ctx.manifest.namespace });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Creates or updates $LATEST when its hash differs; true when it wrote. */
export async function ensureCode(ctx: DeployContext, fn: ResolvedFunction, zip: Uint8Array, hash: string, existing: GetFunctionResponse | undefined): Promise<boolean> {
  const { api, manifest } = ctx;
  const target: GetFunctionRequest & { FunctionName: string } = { FunctionName: fn.scfName, Namespace: manifest.namespace };
  if (existing?.Description === describeHash(hash)) return false;
  const ZipFile = Buffer.from(zip).toString("base64");
  // Typed, not inferred: a spread variable escapes tsc's excess-property check.
  const settings: Omit<UpdateFunctionConfigurationRequest, "FunctionName"> = {
    Description: describeHash(hash),
    MemorySize: fn.memorySize,
    Timeout: fn.timeout,
    InitTimeout: fn.initTimeout,
    Environment: { Variables: variables(fn.environment) },
    VpcConfig: manifest.vpc ? { VpcId: manifest.vpc.vpcId, SubnetId: manifest.vpc.subnetId } : undefined,
  };
  if (!existing) {
    ctx.log(`${fn.name}: create ${fn.scfName}`);
    await api.CreateFunction({ ...target, ...settings, Type: fn.type === "web" ? "HTTP" : "Event", Runtime: manifest.runtime, Handler: fn.handler, CodeSource: "ZipFile", Code: { ZipFile } });
    await waitActive(api, ctx.clock, target);
    return true;
  }
  ctx.log(`${fn.name}: update ${fn.scfName}`);
  await api.UpdateFunctionCode({ ...target, Handler: fn.handler, CodeSource: "ZipFile", ZipFile });
  await waitActive(api, ctx.clock, target);
  await api.UpdateFunctionConfiguration({ ...target, ...settings });
  await waitActive(api, ctx.clock, target);
  return true;
}
