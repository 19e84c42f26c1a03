// Requests one instance serves at once, as the deploy sets it: stages.<stage>.concurrency.<fn>
// in scripts/deploy/stages.yml, SCF's InstanceConcurrencyConfig (static N, or dynamic up to a
// maximum: SCF lowers a dynamic one under memory pressure, so the maximum is the most it serves;
// product 583/47183). Read from the file alone: absent means SCF's default, one.
// --per-instance N replaces it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import * as z from "zod/mini";
import { STAGES_FILE } from "../../lib/deploy/manifest";

const setting = z.union([z.int().check(z.gte(1), z.lte(100)), z.object({ mode: z.optional(z.enum(["static", "dynamic"])), max: z.int().check(z.gte(1), z.lte(100)) })]);
const stagesShape = z.object({ stages: z.optional(z.record(z.string(), z.nullable(z.object({ concurrency: z.optional(z.nullable(z.record(z.string(), setting))) })))) });

export interface PerInstance {
  perInstance: number;
  source: string;
}

/** The concurrency `stages` (the stages file's text) gives `fn` in `stage`. */
export function concurrencyFromStages(stages: string, stage: string, fn: string): PerInstance {
  const parsed = z.safeParse(stagesShape, parse(stages));
  if (!parsed.success) throw new Error(`${STAGES_FILE}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const value = parsed.data.stages?.[stage]?.concurrency?.[fn];
  if (value === undefined) return { perInstance: 1, source: `${STAGES_FILE} sets no stages.${stage}.concurrency.${fn}: SCF's default, 1` };
  if (typeof value === "number") return { perInstance: value, source: `${STAGES_FILE} stages.${stage}.concurrency.${fn}: ${value}` };
  return { perInstance: value.max, source: `${STAGES_FILE} stages.${stage}.concurrency.${fn}: ${value.mode ?? "static"}${value.mode === "dynamic" ? ", at most" : ""} ${value.max}` };
}

export function readConcurrency(root: string, stage: string, fn: string): PerInstance {
  return concurrencyFromStages(readFileSync(join(root, STAGES_FILE), "utf8"), stage, fn);
}
