// Budget decisions as values: before the model (allow, degrade or refuse, from the spend read in
// the admission round trip) and after it (did this charge cross the warning line or the budget,
// from the counter's new value that the record step's INCRBY returns). Exact across instances:
// INCRBY is atomic, so exactly one instance sees a given line crossed.
import { retryAfterUntilBeijingMidnight } from "../time/beijingTime";
import type { BudgetPolicy, BudgetSettings } from "./budgetSettings";
import { cnyToMicroYuan } from "./money";

export type BudgetScope = "app" | "user";

export interface Spend {
  /** Today's spend of the whole app, micro-yuan. */
  appMicroYuan: number;
  /** Today's spend of this user, micro-yuan (undefined: unknown or no user). */
  userMicroYuan?: number;
}

export type BudgetDecision =
  | { action: "allow" }
  | { action: "degrade"; scope: BudgetScope; spentMicroYuan: number; budgetMicroYuan: number }
  | { action: "refuse"; scope: BudgetScope; spentMicroYuan: number; budgetMicroYuan: number; retryAfterSeconds: number };

function budgetsOf(settings: BudgetSettings): { scope: BudgetScope; budgetMicroYuan: number; policy: BudgetPolicy }[] {
  const budgets: { scope: BudgetScope; budgetMicroYuan: number; policy: BudgetPolicy }[] = [];
  if (settings.app) budgets.push({ scope: "app", budgetMicroYuan: cnyToMicroYuan(settings.app.daily_cny), policy: settings.app.policy });
  if (settings.per_user) budgets.push({ scope: "user", budgetMicroYuan: cnyToMicroYuan(settings.per_user.daily_cny), policy: settings.per_user.policy });
  return budgets;
}

/**
 * Before the model: a spent budget (spend >= budget) applies its policy; refuse beats degrade.
 * The spend the budget gate passes in counts what requests in flight hold (their most possible
 * cost, held at admission): parallel requests see each other, and a day's spend passes the budget
 * by one request's most cost at most, as the token quota does.
 */
export function decideBudget(settings: BudgetSettings, spend: Spend, nowMs: number): BudgetDecision {
  let decision: BudgetDecision = { action: "allow" };
  for (const { scope, budgetMicroYuan, policy } of budgetsOf(settings)) {
    const spentMicroYuan = scope === "app" ? spend.appMicroYuan : spend.userMicroYuan;
    if (spentMicroYuan === undefined || spentMicroYuan < budgetMicroYuan) continue;
    if (policy === "refuse") return { action: "refuse", scope, spentMicroYuan, budgetMicroYuan, retryAfterSeconds: retryAfterUntilBeijingMidnight(nowMs) };
    if (decision.action === "allow") decision = { action: "degrade", scope, spentMicroYuan, budgetMicroYuan };
  }
  return decision;
}

/** True only for the charge that took spend from below the line to at or over it. */
export function thresholdCrossed(previousMicroYuan: number, nextMicroYuan: number, lineMicroYuan: number): boolean {
  return previousMicroYuan < lineMicroYuan && nextMicroYuan >= lineMicroYuan;
}

export interface BudgetCrossing {
  kind: "warn" | "exhausted";
  scope: BudgetScope;
  /** The crossed budget's policy, for the log line. */
  policy: BudgetPolicy;
  spentMicroYuan: number;
  budgetMicroYuan: number;
  /** The line crossed (the warning line, or the budget itself). */
  lineMicroYuan: number;
}

/** The warning line of a budget, to the nearest micro-yuan (warn_at_percent: 80 -> 80%). */
export function warnLine(budgetMicroYuan: number, warnAtPercent: number): number {
  return Math.round((budgetMicroYuan * warnAtPercent) / 100);
}

/**
 * After the record step charged `chargedMicroYuan` and read back each counter's new value: the
 * lines this charge crossed (at most one warn and one exhausted per scope and day, across all
 * instances). Each is one log line: warn at the warning level, exhausted at error.
 */
export function budgetCrossings(settings: BudgetSettings, chargedMicroYuan: number, after: Spend): BudgetCrossing[] {
  const crossings: BudgetCrossing[] = [];
  for (const { scope, budgetMicroYuan, policy } of budgetsOf(settings)) {
    const next = scope === "app" ? after.appMicroYuan : after.userMicroYuan;
    if (next === undefined) continue;
    const previous = next - chargedMicroYuan;
    const warnAt = warnLine(budgetMicroYuan, settings.warn_at_percent);
    if (thresholdCrossed(previous, next, warnAt)) crossings.push({ kind: "warn", scope, policy, spentMicroYuan: next, budgetMicroYuan, lineMicroYuan: warnAt });
    if (thresholdCrossed(previous, next, budgetMicroYuan)) crossings.push({ kind: "exhausted", scope, policy, spentMicroYuan: next, budgetMicroYuan, lineMicroYuan: budgetMicroYuan });
  }
  return crossings;
}

/** `degrade`: the alias to call instead (strong -> fast by default), and never a refine. */
export function degradedRoute(settings: BudgetSettings, route: { alias: string; refine?: string }): { alias: string; refine: undefined } {
  return { alias: settings.degrade_to[route.alias] ?? route.alias, refine: undefined };
}

/** `refuse`: the AppError's arguments (status, code, message, headers), for the pipeline to throw. */
export function budgetRefusal(decision: Extract<BudgetDecision, { action: "refuse" }>): { status: 429; code: "budget_exceeded"; message: string; headers: { "retry-after": string } } {
  const whose = decision.scope === "user" ? "your daily budget for AI answers" : "today's budget for AI answers";
  return { status: 429, code: "budget_exceeded", message: `${whose} is spent; try again after midnight Beijing time`, headers: { "retry-after": String(decision.retryAfterSeconds) } };
}
