// Concurrency and provisioned schedule chosen together: for each requests-per-instance candidate
// (1 up to what `npm run capacity` found an instance's CPU share carries), the cheapest
// provisioned setting that meets the cold-start target (planSchedule.ts); of those, the one whose
// instances cost least: instance GB-s while serving plus idle provisioned GB-s.
import { dayStarts, type Interval, type SlotConcurrency } from "./concurrency";
import type { InstanceModel } from "./instanceModel";
import { type Candidate, type Plan, type PlanInputs, planProvisioned } from "./planSchedule";

export interface ConcurrencyOption {
  perInstance: number;
  plan: Plan;
  /** Serving plus idle provisioned GB-s of the chosen provisioned setting, over the trace. */
  totalGbSeconds: number;
}

/** 1, the usual steps up to `max`, and the configured value (whatever it is, to show it). */
export function concurrencyCandidates(configured: number, max: number): number[] {
  const steps = [1, 2, 5, 10, 20, 30, 50, 100].filter((n) => n <= max);
  return [...new Set([...steps, Math.min(100, max), configured])].sort((a, b) => a - b);
}

export const gbSecondsOf = (c: Candidate) => c.summary.activeInstanceGbSeconds + c.summary.idleProvisionedGbSeconds;

export function chooseConcurrency(options: readonly ConcurrencyOption[]): ConcurrencyOption {
  const meeting = options.filter((o) => o.plan.chosen.meetsTarget).sort((a, b) => a.totalGbSeconds - b.totalGbSeconds || a.perInstance - b.perInstance);
  const closest = [...options].sort((a, b) => a.plan.chosen.summary.worstWindowColdPct - b.plan.chosen.summary.worstWindowColdPct || a.totalGbSeconds - b.totalGbSeconds);
  return meeting[0] ?? closest[0]!;
}

export function planConcurrency(inputs: Omit<PlanInputs, "model" | "warmAt">, model: InstanceModel, candidates: readonly number[], traffic: { intervals: readonly Interval[]; slots: readonly SlotConcurrency[] }): { options: ConcurrencyOption[]; chosen: ConcurrencyOption } {
  const options = candidates.map((perInstance) => {
    const perModel = { ...model, perInstanceConcurrency: perInstance };
    const plan = planProvisioned({ ...inputs, model: perModel, warmAt: dayStarts(traffic.intervals, traffic.slots, perInstance) });
    return { perInstance, plan, totalGbSeconds: gbSecondsOf(plan.chosen) };
  });
  return { options, chosen: chooseConcurrency(options) };
}
