// Provisioned concurrency as PutProvisionedConcurrencyConfig documents it, and the test for
// "already applied" that GetProvisionedConcurrencyConfig allows. Pure functions.
//
// What the API gives back is less than what it takes: VersionProvisionedConcurrencyInfo has
// AllocatedProvisionedConcurrencyNum, AvailableProvisionedConcurrencyNum, Status,
// StatusReason, Qualifier and TriggerActions, but no ProvisionedType, TrackingTarget,
// MinCapacity or MaxCapacity. So the deploy also records a fingerprint of what it applied in
// the alias's Description, and a setting counts as applied only when both agree.
import { createHash } from "node:crypto";
import { DeployError } from "./deployError";
import type { PutProvisionedConcurrencyConfigRequest, TriggerAction, VersionProvisionedConcurrencyInfo } from "./scfModels";
import type { Provisioned } from "./stagesSchema";

export function assertPublishedVersion(qualifier: string): void {
  if (!/^\d+$/.test(qualifier)) throw new DeployError(`provisioned concurrency goes on a published version, never "${qualifier}"`);
}

function triggerActions(p: Extract<Provisioned, { mode: "scheduled" }>): TriggerAction[] {
  return p.actions.map((a) => ({ TriggerName: a.name, TriggerProvisionedConcurrencyNum: a.count, TriggerCronConfig: a.cron }));
}

export function provisionedRequest(functionName: string, namespace: string, version: string, p: Provisioned): PutProvisionedConcurrencyConfigRequest {
  assertPublishedVersion(version);
  const target = { FunctionName: functionName, Namespace: namespace, Qualifier: version };
  switch (p.mode) {
    case "static":
      return { ...target, VersionProvisionedConcurrencyNum: p.count, ProvisionedType: "Default" };
    case "scheduled":
      return { ...target, VersionProvisionedConcurrencyNum: p.count, ProvisionedType: "Default", TriggerActions: triggerActions(p) };
    case "tracking":
      // "VersionProvisionedConcurrencyNum must be 0" with ConcurrencyUtilizationTracking.
      return { ...target, VersionProvisionedConcurrencyNum: 0, ProvisionedType: "ConcurrencyUtilizationTracking", TrackingTarget: p.target, MinCapacity: p.min, MaxCapacity: p.max };
  }
}

/** Short and stable: what was applied, in words the alias Description accepts. */
export function provisionedFingerprint(p: Provisioned): string {
  return createHash("sha256").update(JSON.stringify(p)).digest("hex").slice(0, 12);
}

const RECORD = /miniask provisioned (\d+) ([0-9a-f]{12})/;

export function provisionedRecord(version: string, p: Provisioned | undefined): string {
  return p ? `miniask provisioned ${version} ${provisionedFingerprint(p)}` : "miniask";
}

function sameActions(read: TriggerAction[] | undefined, wanted: TriggerAction[]): boolean {
  const key = (a: TriggerAction) => `${a.TriggerName}|${a.TriggerProvisionedConcurrencyNum}|${a.TriggerCronConfig.trim()}`;
  const have = (read ?? []).map(key).sort();
  const want = wanted.map(key).sort();
  return have.length === want.length && have.every((k, i) => k === want[i]);
}

/**
 * Whether `p` is in force on `version`: the API lists a config for it that has not failed and
 * matches what it does return (the static count, the scheduled actions), and the alias records
 * the same fingerprint. A scheduled config's allocated count moves with its actions, so only
 * its actions are compared; a tracking config returns none of its settings.
 */
export function provisionedApplied(info: VersionProvisionedConcurrencyInfo | undefined, version: string, p: Provisioned, aliasDescription: string | undefined): boolean {
  if (!info || info.Status === "Failed") return false;
  const recorded = RECORD.exec(aliasDescription ?? "");
  if (!recorded || recorded[1] !== version || recorded[2] !== provisionedFingerprint(p)) return false;
  if (p.mode === "static") return info.AllocatedProvisionedConcurrencyNum === p.count;
  if (p.mode === "scheduled") return sameActions(info.TriggerActions, triggerActions(p));
  return true;
}
