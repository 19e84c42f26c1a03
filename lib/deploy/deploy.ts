// Deploys a resolved manifest through the SCF API: for each function, create or update its code
// and settings, publish a version, point the stage alias at it (with a canary weight for the
// previous version), ensure its Function URL, and apply provisioned concurrency on the
// published version, never $LATEST. A second run with nothing changed writes nothing.
import { createHash } from "node:crypto";
import type { Provisioned, ResolvedFunction, ResolvedManifest } from "./manifest";
import { type ScfApi, isNotFound } from "./scfApi";

export interface DeployInput {
  manifest: ResolvedManifest;
  /** The built zip of each function, by name. */
  zips: Record<string, Buffer>;
  /** Override of the stage's canary weight (0 = all traffic to the new version). */
  canaryWeight?: number;
  /** Move all traffic back to the version the alias served before the latest. */
  rollback?: boolean;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
}

export interface DeployedFunction {
  name: string;
  scfName: string;
  version: string;
  url?: string;
  changed: boolean;
}

const HASH_PREFIX = "miniask ";

export class DeployError extends Error {}

export function assertPublishedVersion(qualifier: string): void {
  if (!/^\d+$/.test(qualifier)) throw new DeployError(`provisioned concurrency goes on a published version, never "${qualifier}"`);
}

function codeHash(zip: Buffer, fn: ResolvedFunction, manifest: ResolvedManifest): string {
  // Code and settings together: a changed memory size or variable is a new version too.
  const settings = JSON.stringify({ type: fn.type, handler: fn.handler, memorySize: fn.memorySize, timeout: fn.timeout, initTimeout: fn.initTimeout, environment: fn.environment, vpc: manifest.vpc, runtime: manifest.runtime });
  return createHash("sha256").update(zip).update(settings).digest("hex").slice(0, 16);
}

function provisionedParams(fn: ResolvedFunction, namespace: string, version: string, p: Provisioned): Record<string, unknown> {
  assertPublishedVersion(version);
  const base = { FunctionName: fn.scfName, Namespace: namespace, Qualifier: version };
  if (p.mode === "static") return { ...base, VersionProvisionedConcurrencyNum: p.count };
  if (p.mode === "scheduled") {
    return {
      ...base,
      VersionProvisionedConcurrencyNum: p.count,
      TriggerActions: p.actions.map((a) => ({ TriggerName: a.name, TriggerProvisionedConcurrencyNum: a.count, TriggerCronConfig: a.cron })),
    };
  }
  return { ...base, VersionProvisionedConcurrencyNum: p.min, ProvisionedType: "ConcurrencyUtilizationTracking", TrackingTarget: p.target, MinCapacity: p.min, MaxCapacity: p.max };
}

export async function deploy(api: ScfApi, input: DeployInput): Promise<DeployedFunction[]> {
  const { manifest } = input;
  const log = input.log ?? (() => undefined);
  const sleep = input.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const ns = manifest.namespace;

  const waitActive = async (name: string) => {
    for (let i = 0; i < 60; i++) {
      const fn = await api.call("GetFunction", { FunctionName: name, Namespace: ns });
      if (fn.Status === "Active" || fn.Status === undefined) return;
      if (String(fn.Status).endsWith("Failed")) throw new DeployError(`${name}: ${String(fn.Status)} (${String(fn.StatusDesc ?? "")})`);
      await sleep(1000);
    }
    throw new DeployError(`${name}: not Active after 60 s`);
  };

  const namespaces = (await api.call("ListNamespaces", { Limit: 100 }).catch(() => ({ Namespaces: [] }))).Namespaces as { Name: string }[] | undefined;
  if (!namespaces?.some((n) => n.Name === ns)) await api.call("CreateNamespace", { Namespace: ns, Description: "miniask" });

  const deployed: DeployedFunction[] = [];
  // Web functions first: the warm-up function needs their URLs.
  const ordered = [...manifest.functions].sort((a, b) => (a.type === b.type ? 0 : a.type === "web" ? -1 : 1));
  for (const fn of ordered) {
    const zip = input.zips[fn.name];
    if (!zip) throw new DeployError(`no built zip for ${fn.name}: run npm run build first`);
    const environment =
      fn.type === "event" && fn.name === "warmup"
        ? { ...fn.environment, MINIASK_WARMUP_TARGETS: JSON.stringify(deployed.filter((d) => d.url && (manifest.functions.find((f) => f.name === d.name)?.warmupCount ?? 0) > 0).map((d) => ({ name: d.name, url: d.url, count: manifest.functions.find((f) => f.name === d.name)?.warmupCount ?? 1 }))) }
        : fn.environment;
    const resolved = { ...fn, environment };
    const hash = codeHash(zip, resolved, manifest);
    const settings = {
      MemorySize: fn.memorySize,
      Timeout: fn.timeout,
      ...(fn.initTimeout ? { InitTimeout: fn.initTimeout } : {}),
      Environment: { Variables: Object.entries(environment).map(([Key, Value]) => ({ Key, Value })) },
      ...(manifest.vpc ? { VpcConfig: { VpcId: manifest.vpc.vpcId, SubnetId: manifest.vpc.subnetId } } : {}),
      Description: `${HASH_PREFIX}${hash}`,
    };

    let existing: Record<string, unknown> | undefined;
    try {
      existing = await api.call("GetFunction", { FunctionName: fn.scfName, Namespace: ns });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (input.rollback && !existing) throw new DeployError(`${fn.name}: nothing to roll back (${fn.scfName} does not exist)`);
    // A rollback moves the alias only: it never touches code or settings.
    const changed = !input.rollback && (!existing || existing.Description !== `${HASH_PREFIX}${hash}`);
    if (input.rollback) {
      log(`${fn.name}: rollback`);
    } else if (!existing) {
      log(`${fn.name}: create ${fn.scfName}`);
      await api.call("CreateFunction", {
        FunctionName: fn.scfName,
        Namespace: ns,
        Type: fn.type === "web" ? "HTTP" : "Event",
        Runtime: manifest.runtime,
        ...(fn.handler ? { Handler: fn.handler } : {}),
        Code: { ZipFile: zip.toString("base64") },
        ...settings,
      });
      await waitActive(fn.scfName);
    } else if (changed) {
      log(`${fn.name}: update ${fn.scfName}`);
      await api.call("UpdateFunctionCode", { FunctionName: fn.scfName, Namespace: ns, ZipFile: zip.toString("base64"), ...(fn.handler ? { Handler: fn.handler } : {}) });
      await waitActive(fn.scfName);
      await api.call("UpdateFunctionConfiguration", { FunctionName: fn.scfName, Namespace: ns, ...settings });
      await waitActive(fn.scfName);
    } else {
      log(`${fn.name}: unchanged`);
    }

    // The alias is what the Function URL serves: its version is the deployed one.
    let alias: Record<string, unknown> | undefined;
    try {
      alias = await api.call("GetAlias", { FunctionName: fn.scfName, Namespace: ns, Name: manifest.alias });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const current = alias ? String(alias.FunctionVersion) : undefined;
    const canaryOf = (a: Record<string, unknown> | undefined) =>
      ((a?.RoutingConfig as { AdditionalVersionWeights?: { Version: string }[] } | undefined)?.AdditionalVersionWeights ?? [])[0]?.Version;
    let version = current ?? "";
    if (input.rollback) {
      const previous = canaryOf(alias);
      if (!alias || !previous) throw new DeployError(`${fn.name}: nothing to roll back to (alias ${manifest.alias} has no previous version)`);
      log(`${fn.name}: roll back ${manifest.alias} to version ${previous}`);
      await api.call("UpdateAlias", { FunctionName: fn.scfName, Namespace: ns, Name: manifest.alias, FunctionVersion: previous, RoutingConfig: { AdditionalVersionWeights: [] } });
      version = previous;
    } else if (changed || !alias) {
      version = String((await api.call("PublishVersion", { FunctionName: fn.scfName, Namespace: ns, Description: `${HASH_PREFIX}${hash}` })).FunctionVersion);
      log(`${fn.name}: published version ${version}`);
      if (!alias) {
        await api.call("CreateAlias", { FunctionName: fn.scfName, Namespace: ns, Name: manifest.alias, FunctionVersion: version });
      } else {
        const weight = input.canaryWeight ?? manifest.canaryWeight;
        await api.call("UpdateAlias", {
          FunctionName: fn.scfName,
          Namespace: ns,
          Name: manifest.alias,
          FunctionVersion: version,
          RoutingConfig: { AdditionalVersionWeights: weight > 0 && current ? [{ Version: current, Weight: weight }] : [] },
        });
        if (weight > 0 && current) log(`${fn.name}: canary: version ${current} keeps ${weight * 100}% of traffic`);
      }
    }

    // Function URL (API Gateway triggers are retired) on the alias, and the timers.
    const triggers = ((await api.call("ListTriggers", { FunctionName: fn.scfName, Namespace: ns })).Triggers ?? []) as { Type: string; TriggerName: string; Qualifier?: string; TriggerDesc?: string }[];
    let url: string | undefined;
    if (fn.urlTrigger) {
      const found = triggers.find((t) => t.Type === "http" && t.Qualifier === manifest.alias);
      if (!found) {
        await api.call("CreateTrigger", {
          FunctionName: fn.scfName,
          Namespace: ns,
          Type: "http",
          TriggerName: "url",
          Qualifier: manifest.alias,
          TriggerDesc: JSON.stringify({ AuthType: fn.urlTrigger.authType, NetConfig: { EnableIntranet: false, EnableExtranet: true } }),
        });
      }
      const listed = found ? [found] : ((await api.call("ListTriggers", { FunctionName: fn.scfName, Namespace: ns })).Triggers ?? []) as typeof triggers;
      const desc = listed.find((t) => t.Type === "http")?.TriggerDesc;
      url = desc ? (JSON.parse(desc) as { NetConfig?: { ExtranetUrl?: string } }).NetConfig?.ExtranetUrl : undefined;
    }
    for (const timer of fn.timers) {
      if (triggers.some((t) => t.Type === "timer" && t.TriggerName === timer.name)) continue;
      await api.call("CreateTrigger", { FunctionName: fn.scfName, Namespace: ns, Type: "timer", TriggerName: timer.name, Qualifier: manifest.alias, TriggerDesc: timer.cron, Enable: timer.enable ? "OPEN" : "CLOSE" });
    }

    // Provisioned concurrency on the published version only; older versions release theirs.
    if (fn.provisioned && !input.rollback) {
      const params = provisionedParams(fn, ns, version, fn.provisioned);
      const configs = ((await api.call("GetProvisionedConcurrencyConfig", { FunctionName: fn.scfName, Namespace: ns })).Allocated ?? []) as { Qualifier: string }[];
      const mine = configs.find((c) => c.Qualifier === version) as Record<string, unknown> | undefined;
      const same =
        mine &&
        mine.VersionProvisionedConcurrencyNum === params.VersionProvisionedConcurrencyNum &&
        JSON.stringify(mine.TriggerActions ?? []) === JSON.stringify(params.TriggerActions ?? []) &&
        (mine.ProvisionedType ?? "Default") === (params.ProvisionedType ?? "Default");
      if (!same) await api.call("PutProvisionedConcurrencyConfig", params);
      const keep = new Set([version, ...(input.canaryWeight ?? manifest.canaryWeight) > 0 && current && current !== version ? [current] : []]);
      for (const config of configs) {
        if (!keep.has(config.Qualifier)) await api.call("DeleteProvisionedConcurrencyConfig", { FunctionName: fn.scfName, Namespace: ns, Qualifier: config.Qualifier });
      }
    }
    deployed.push({ name: fn.name, scfName: fn.scfName, version, ...(url ? { url } : {}), changed });
  }
  return deployed;
}
