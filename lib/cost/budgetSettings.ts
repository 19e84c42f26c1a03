// Daily money budgets, one block per environment in env-policy.yaml (`budget:`). Days are
// Beijing days. No `app` / `per_user` block: no budget of that kind (the default).
import * as z from "zod/mini";

export const budgetPolicySchema = z.enum(["degrade", "refuse"]);
/** degrade: strong -> fast, no refine; refuse: 429 budget_exceeded until Beijing midnight. */
export type BudgetPolicy = z.infer<typeof budgetPolicySchema>;

const alias = z.string().check(z.regex(/^[a-z][a-z0-9_]*$/, "expected a model alias"));
const dailyCny = z.number().check(z.gt(0), z.lte(10_000_000));

export const DEFAULT_BUDGET_SETTINGS = {
  /** One warning line when spend crosses this share of a budget. */
  warn_at_percent: 80,
  /** What `degrade` routes each alias to (an alias not named here keeps its chain). */
  degrade_to: { strong: "fast" },
} as const;

export const budgetSettingsSchema = z.strictObject({
  /** The whole app in this environment, all users together. */
  app: z.optional(z.strictObject({ daily_cny: dailyCny, policy: z._default(budgetPolicySchema, "degrade") })),
  /** Each user (the token's subject) on their own. */
  per_user: z.optional(z.strictObject({ daily_cny: dailyCny, policy: z._default(budgetPolicySchema, "refuse") })),
  warn_at_percent: z._default(z.number().check(z.gt(0), z.lt(100)), DEFAULT_BUDGET_SETTINGS.warn_at_percent),
  degrade_to: z._default(z.record(alias, alias), { ...DEFAULT_BUDGET_SETTINGS.degrade_to }),
});

export type BudgetSettings = z.infer<typeof budgetSettingsSchema>;

export function defaultBudgetSettings(): BudgetSettings {
  return { warn_at_percent: DEFAULT_BUDGET_SETTINGS.warn_at_percent, degrade_to: { ...DEFAULT_BUDGET_SETTINGS.degrade_to } };
}
