// Deploys a resolved manifest through the SCF API: the namespace, then each function (web
// functions first: the warm-up function is given their URLs). See deployFunction for the steps.
import { setTimeout as defaultSleep } from "node:timers/promises";
import type { Config } from "../config/loadConfig";
import { ensureCustomDomain } from "./customDomain";
import type { DeployContext } from "./deployContext";
import { DeployError } from "./deployError";
import { type DeployedFunction, deployFunction } from "./deployFunction";
import { requireExecutionRole } from "./executionRole";
import type { ResolvedFunction, ResolvedManifest } from "./manifest";
import { requireSharedStore } from "./requireSharedStore";
import type { ScfApi } from "./scfApi";
import { streamBudgetProblems } from "./streamBudget";
import type { Clock } from "./waitFor";
import { warmupPings } from "./warmupPings";

export { DeployError } from "./deployError";
export type { DeployedFunction } from "./deployFunction";
export { assertPublishedVersion } from "./provisioned";

export interface DeployInput {
  manifest: ResolvedManifest;
  /** The built zip of each function, by name. */
  zips: Record<string, Uint8Array>;
  /** Override of the stage's canary weight (0 = all traffic to the new version). */
  canaryWeight?: number;
  /** Move all traffic back to the version the alias kept as its canary. */
  rollback?: boolean;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
  /** The validated config: a stage where a stream could outlive its function is refused. */
  config?: Config;
}

async function ensureNamespace(ctx: DeployContext): Promise<void> {
  const { Namespaces } = await ctx.api.ListNamespaces({ Limit: 100 });
  if ((Namespaces ?? []).some((n) => n.Name === ctx.manifest.namespace)) return;
  ctx.log(`namespace ${ctx.manifest.namespace}`);
  await ctx.api.CreateNamespace({ Namespace: ctx.manifest.namespace, Description: "miniask" });
}

export interface DeployResult {
  functions: DeployedFunction[];
  /** The stage's custom domain: the one host a Mini Program allow-lists. */
  domain?: string;
}

/**
 * The warm-up function pings each web function that the stage warms, at its URL, enough times to
 * fill the instances it keeps warm (warmupPings). A warmed
 * function without a URL stops the deploy: the timer would ping an empty list, silently.
 */
function withWarmupTargets(fn: ResolvedFunction, manifest: ResolvedManifest, deployed: readonly DeployedFunction[]): ResolvedFunction {
  if (fn.type !== "event" || fn.name !== "warmup") return fn;
  const targets = deployed.flatMap((d) => {
    const warmed = manifest.functions.find((f) => f.name === d.name);
    const count = warmed ? warmupPings(warmed) : 0;
    if (count > 0 && !d.url) throw new DeployError(`${d.name}: the warm-up pings it (${count}), but the API reported no Function URL for it after CreateTrigger; look at its trigger in the console, then deploy again`);
    return d.url && count > 0 ? [{ name: d.name, url: d.url, count }] : [];
  });
  return { ...fn, environment: { ...fn.environment, MINIASK_WARMUP_TARGETS: JSON.stringify(targets) } };
}

export async function deploy(api: ScfApi, input: DeployInput): Promise<DeployResult> {
  const { manifest } = input;
  requireSharedStore(manifest);
  requireExecutionRole(manifest);
  const outlived = input.config ? streamBudgetProblems(manifest.functions, input.config, [manifest.stage]) : [];
  if (outlived.length > 0) throw new DeployError(`stage ${manifest.stage}: a stream could outlive its function:\n  ${outlived.join("\n  ")}`);
  const sleep = input.sleep ?? defaultSleep;
  const clock: Clock = { sleep, attempts: 60, intervalMs: 2000 };
  const ctx: DeployContext = { api, manifest, clock, provisionClock: { sleep, attempts: 120, intervalMs: 5000 }, log: input.log ?? (() => undefined) };
  for (const fn of manifest.functions) if (!input.zips[fn.name]) throw new DeployError(`no built zip for ${fn.name}: run npm run build first`);
  if (!input.rollback) await ensureNamespace(ctx);
  const ordered = [...manifest.functions].sort((a, b) => (a.type === b.type ? 0 : a.type === "web" ? -1 : 1));
  const deployed: DeployedFunction[] = [];
  for (const fn of ordered) {
    const options = { ...(input.canaryWeight === undefined ? {} : { canaryWeight: input.canaryWeight }), rollback: input.rollback ?? false };
    deployed.push(await deployFunction(ctx, withWarmupTargets(fn, manifest, deployed), input.zips[fn.name]!, options));
  }
  // After the aliases exist: the domain routes to them.
  const domain = input.rollback ? manifest.domain?.name : await ensureCustomDomain(ctx);
  return { functions: deployed, ...(domain ? { domain } : {}) };
}
