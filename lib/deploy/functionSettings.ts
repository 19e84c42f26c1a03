// The settings a function's $LATEST carries besides its code, as CreateFunction and
// UpdateFunctionConfiguration take them, and the read-back check GetFunction allows.
import type { DeployContext } from "./deployContext";
import type { ResolvedFunction } from "./manifest";
import type { GetFunctionResponse, InstanceConcurrencyConfig, UpdateFunctionConfigurationRequest, Variable } from "./scfModels";

export type FunctionSettings = Omit<UpdateFunctionConfigurationRequest, "FunctionName">;

/** Static: DynamicEnabled "FALSE"; dynamic: "TRUE", up to MaxConcurrency (scf_models.d.ts). */
export function concurrencyConfig(fn: ResolvedFunction): InstanceConcurrencyConfig | undefined {
  if (!fn.concurrency) return undefined;
  return { DynamicEnabled: fn.concurrency.mode === "dynamic" ? "TRUE" : "FALSE", MaxConcurrency: fn.concurrency.max };
}

const variables = (environment: Record<string, string>): Variable[] => Object.entries(environment).map(([Key, Value]) => ({ Key, Value }));

export function functionSettings(ctx: Pick<DeployContext, "manifest">, fn: ResolvedFunction, description: string): FunctionSettings {
  const { vpc } = ctx.manifest;
  const concurrency = concurrencyConfig(fn);
  return {
    Description: description,
    MemorySize: fn.memorySize,
    Timeout: fn.timeout,
    InitTimeout: fn.initTimeout,
    Environment: { Variables: variables(fn.environment) },
    VpcConfig: vpc ? { VpcId: vpc.vpcId, SubnetId: vpc.subnetId } : undefined,
    // Sent either way: inside a VPC no default is documented, and WeChat and the providers
    // are on the internet.
    PublicNetConfig: { PublicNetStatus: fn.publicNet ? "ENABLE" : "DISABLE" },
    ...(concurrency ? { InstanceConcurrencyConfig: concurrency } : {}),
    // Only a role the stage names: one set in the console is left alone when the stage has none.
    ...(fn.role ? { Role: fn.role } : {}),
  };
}

/**
 * What GetFunction reports differently from what the stage wants, beyond the Description hash
 * (a change made in the console keeps our hash): the concurrency, public egress and role settings.
 */
export function settingsDrift(fn: ResolvedFunction, existing: GetFunctionResponse): string[] {
  const drift: string[] = [];
  const want = concurrencyConfig(fn);
  const have = existing.InstanceConcurrencyConfig;
  if (want && (have?.MaxConcurrency !== want.MaxConcurrency || (have?.DynamicEnabled ?? "FALSE") !== want.DynamicEnabled)) {
    drift.push(`concurrency ${have?.MaxConcurrency ?? 1}${have?.DynamicEnabled === "TRUE" ? " dynamic" : ""} -> ${want.MaxConcurrency}${want.DynamicEnabled === "TRUE" ? " dynamic" : ""}`);
  }
  const net = fn.publicNet ? "ENABLE" : "DISABLE";
  if (existing.PublicNetConfig?.PublicNetStatus !== net) drift.push(`public egress ${existing.PublicNetConfig?.PublicNetStatus ?? "unreported"} -> ${net}`);
  // GetFunction reports no role as "" (or leaves Role out): either is "none".
  if (fn.role && existing.Role !== fn.role) drift.push(`role ${existing.Role || "none"} -> ${fn.role}`);
  return drift;
}
