// Step 1 of a function's deploy: $LATEST holds the built code and settings. The function's
// Description carries a hash of both, so unchanged code and settings are never sent again.
import { createHash } from "node:crypto";
import type { DeployContext } from "./deployContext";
import type { ResolvedFunction } from "./manifest";
import { isNotFound } from "./scfApi";
import { functionSettings, settingsDrift } from "./functionSettings";
import type { GetFunctionRequest, GetFunctionResponse } from "./scfModels";
import { waitActive } from "./waitFor";

const HASH_PREFIX = "miniask ";

export const describeHash = (hash: string): string => `${HASH_PREFIX}${hash}`;

/** Code and settings together: a changed memory size or variable is a new version too. */
export function codeHash(zip: Uint8Array, fn: ResolvedFunction, ctx: Pick<DeployContext, "manifest">): string {
  const { runtime, vpc } = ctx.manifest;
  const settings = { type: fn.type, handler: fn.handler, memorySize: fn.memorySize, timeout: fn.timeout, initTimeout: fn.initTimeout, environment: fn.environment, vpc, runtime, publicNet: fn.publicNet, concurrency: fn.concurrency, role: fn.role };
  return createHash("sha256").update(zip).update(JSON.stringify(settings)).digest("hex").slice(0, 16);
}

export async function readFunction(ctx: DeployContext, scfName: string): Promise<GetFunctionResponse | undefined> {
  try {
    return await ctx.api.GetFunction({ FunctionName: scfName, Namespace: ctx.manifest.namespace });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Creates or updates $LATEST when its hash differs, or only its settings when GetFunction reads
 * back other concurrency, egress or role settings than the stage's; true when it wrote.
 */
export async function ensureCode(ctx: DeployContext, fn: ResolvedFunction, zip: Uint8Array, hash: string, existing: GetFunctionResponse | undefined): Promise<boolean> {
  const { api, manifest } = ctx;
  const target: GetFunctionRequest & { FunctionName: string } = { FunctionName: fn.scfName, Namespace: manifest.namespace };
  const settings = functionSettings(ctx, fn, describeHash(hash));
  if (existing?.Description === describeHash(hash)) {
    const drift = settingsDrift(fn, existing);
    if (drift.length === 0) return false;
    ctx.log(`${fn.name}: settings differ from the stage's: ${drift.join(", ")}`);
    await api.UpdateFunctionConfiguration({ ...target, ...settings });
    await waitActive(api, ctx.clock, target);
    return true;
  }
  const ZipFile = Buffer.from(zip).toString("base64");
  // Web (HTTP) functions start from scf_bootstrap: no Handler, as Tencent's own toolkit sends
  // them (the SDK documents Handler as file.method, an event function's entry).
  const handler = fn.type === "web" ? {} : { Handler: fn.handler };
  if (!existing) {
    ctx.log(`${fn.name}: create ${fn.scfName}`);
    await api.CreateFunction({ ...target, ...settings, ...handler, Type: fn.type === "web" ? "HTTP" : "Event", Runtime: manifest.runtime, CodeSource: "ZipFile", Code: { ZipFile } });
    await waitActive(api, ctx.clock, target);
    return true;
  }
  ctx.log(`${fn.name}: update ${fn.scfName}`);
  await api.UpdateFunctionCode({ ...target, ...handler, CodeSource: "ZipFile", ZipFile });
  await waitActive(api, ctx.clock, target);
  await api.UpdateFunctionConfiguration({ ...target, ...settings });
  await waitActive(api, ctx.clock, target);
  return true;
}
