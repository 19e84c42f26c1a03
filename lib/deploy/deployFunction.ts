// One function, start to finish: code, version, provisioned concurrency, alias, triggers.
// Each step reads first and writes only what differs, so a rerun with nothing changed writes
// nothing.
import { pointAlias, readAlias, routingFor, rollbackAlias } from "./aliasRouting";
import type { DeployContext } from "./deployContext";
import { DeployError } from "./deployError";
import { codeHash, ensureCode, readFunction } from "./functionCode";
import { ensureVersion } from "./functionVersion";
import type { ResolvedFunction } from "./manifest";
import { provisionedRecord } from "./provisioned";
import { provisionVersion, readProvisioned, releaseProvisioned } from "./provisionVersion";
import { ensureTriggers } from "./triggers";

export interface DeployedFunction {
  name: string;
  scfName: string;
  /** The version the alias's main route serves now. */
  version: string;
  url?: string;
  /** Code or settings went up, or the alias moved. */
  changed: boolean;
}

export interface FunctionOptions {
  /** --canary W: the previous version's share; undefined = the stage's canaryWeight. */
  canaryWeight?: number;
  rollback?: boolean;
}

async function rollbackFunction(ctx: DeployContext, fn: ResolvedFunction): Promise<DeployedFunction> {
  if (!(await readFunction(ctx, fn.scfName))) throw new DeployError(`${fn.name}: nothing to roll back (${fn.scfName} does not exist)`);
  const alias = await readAlias(ctx, fn);
  const version = await rollbackAlias(ctx, fn, alias);
  if (fn.provisioned) await releaseProvisioned(ctx, fn, await readProvisioned(ctx, fn), new Set([version]));
  return { name: fn.name, scfName: fn.scfName, version, changed: true };
}

export async function deployFunction(ctx: DeployContext, fn: ResolvedFunction, zip: Uint8Array, options: FunctionOptions): Promise<DeployedFunction> {
  if (options.rollback) return rollbackFunction(ctx, fn);
  const hash = codeHash(zip, fn, ctx);
  const wroteCode = await ensureCode(ctx, fn, zip, hash, await readFunction(ctx, fn.scfName));
  const { version, published } = await ensureVersion(ctx, fn, hash);
  const alias = await readAlias(ctx, fn);
  const configs = await readProvisioned(ctx, fn);
  const record = provisionedRecord(version, fn.provisioned);
  await provisionVersion(ctx, fn, version, configs, alias?.Description);
  const routing = routingFor(alias, version, options.canaryWeight ?? ctx.manifest.canaryWeight, options.canaryWeight !== undefined);
  const movedAlias = await pointAlias(ctx, fn, alias, version, routing, record);
  // The canary's version keeps its instances while it still takes traffic.
  const keep = new Set(fn.provisioned ? [version, ...routing.map((r) => r.Version)] : []);
  await releaseProvisioned(ctx, fn, configs, keep);
  const url = await ensureTriggers(ctx, fn);
  if (!wroteCode && !published && !movedAlias) ctx.log(`${fn.name}: unchanged (version ${version})`);
  return { name: fn.name, scfName: fn.scfName, version, ...(url ? { url } : {}), changed: wroteCode || published || (movedAlias && alias?.FunctionVersion !== version) };
}
