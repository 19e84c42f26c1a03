// How long one refinement may hold its store lock: its model budget (the strong profile's own,
// else the environment's), WeChat's output check when it is on (held to one more model budget,
// as the refiner's deadline says), and a margin. A live holder must never lose its lock to a
// second caller (who would pay again); a frozen one's lock expires after this.
import type { ResolvedEnvironment, ResolvedProfile } from "../config/config";

export const REFINE_LOCK_MARGIN_MS = 2000;

export function refineLockMs(target: Pick<ResolvedProfile, "budget_ms">, env: Pick<ResolvedEnvironment, "modelBudgetMs">, outputChecked: boolean): number {
  return (target.budget_ms ?? env.modelBudgetMs) + (outputChecked ? env.modelBudgetMs : 0) + REFINE_LOCK_MARGIN_MS;
}
