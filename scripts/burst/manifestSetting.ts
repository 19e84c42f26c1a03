// A function's capacity setting as the deploy applies it: provisioned concurrency and warm-up
// pings for a stage, read through lib/deploy's loader (serverless.yml and the stages file).
import { warmupPings } from "../../lib/deploy/warmupPings";
import { dirname, resolve } from "node:path";
import { loadManifest } from "../../lib/deploy/manifest";
import type { CapacitySetting } from "./instanceModel";

/** `--schedule` names serverless.yml (or the stages file beside the deploy script): the repo root is found from it. */
export function manifestRoot(path: string): string {
  const full = resolve(path);
  return full.endsWith("stages.yml") ? resolve(dirname(full), "../..") : dirname(full);
}

export function manifestSetting(path: string, stage: string, fn: string): CapacitySetting & { memoryMb: number; timeoutMs: number } {
  const manifest = loadManifest(stage, {}, manifestRoot(path));
  const target = manifest.functions.find((f) => f.name === fn);
  if (!target) throw new Error(`${path}: no function "${fn}" (functions: ${manifest.functions.map((f) => f.name).join(", ")})`);
  const timer = manifest.functions.flatMap((f) => f.timers.filter((t) => t.enable)).find((t) => t.name.includes("warmup")) ?? manifest.functions.flatMap((f) => f.timers)[0];
  const parts: string[] = [];
  if (target.provisioned) parts.push(describeProvisioned(target.provisioned));
  // The deploy sends instances x concurrency pings at once (lib/deploy/warmupPings): the model sees them all.
  const pings = warmupPings(target);
  if (target.warmupCount > 0 && timer) parts.push(`${target.warmupCount} instance(s) kept warm (${pings} pings, ${timer.cron})`);
  return {
    name: `${stage} manifest: ${parts.join(" + ") || "nothing"}`,
    ...(target.provisioned ? { provisioned: target.provisioned } : {}),
    ...(target.warmupCount > 0 && timer ? { warmup: { count: pings, cron: timer.cron } } : {}),
    memoryMb: target.memorySize,
    timeoutMs: target.timeout * 1000,
  };
}

export function describeProvisioned(p: NonNullable<CapacitySetting["provisioned"]>): string {
  if (p.mode === "static") return `${p.count} provisioned`;
  if (p.mode === "tracking") return `tracking ${Math.round(p.target * 100)}% (${p.min}..${p.max})`;
  return `${p.count} provisioned, ${p.actions.map((a) => `${a.count} at "${a.cron}"`).join(", ")}`;
}
