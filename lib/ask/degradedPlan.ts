// A plan past its budget's `degrade` line: the profile's alias routed as degrade_to says
// (strong -> fast), no refinement, and no cache write (the answer is not the profile's own).
import { degradedRoute } from "../cost/budget";
import type { BudgetSettings } from "../cost/budgetSettings";
import type { Plan } from "./prepareAsk";

export function degradedPlan(plan: Plan, settings: BudgetSettings): Plan {
  const route = degradedRoute(settings, { alias: plan.profile.model, ...(plan.profile.refine ? { refine: plan.profile.refine } : {}) });
  const { cacheKey: _dropped, ...rest } = plan;
  return { ...rest, profile: { ...plan.profile, model: route.alias, refine: undefined }, cache: plan.cache === "on" ? "bypass" : plan.cache };
}
