// Budgets in the request path, with no round trip of their own: today's spend is read along
// with admission, charged in the record step's MULTI (whose INCRBY replies say which line this
// very charge crossed: exactly one instance sees it), and decided here as values.
import type { Logger } from "../observability/logger";
import { type BudgetDecision, budgetCrossings, decideBudget } from "./budget";
import type { BudgetSettings } from "./budgetSettings";
import { SPEND_KEY_TTL_SECONDS, spendKeys, spendOfReply } from "./budgetStorePlan";
import { microYuanToCny } from "./money";

export interface BudgetGate {
  /** False when the environment sets no budget: nothing read, nothing charged. */
  readonly on: boolean;
  /** What admission reads along (app first, then the user's). */
  peekKeys(userId: string, nowMs: number): string[];
  decide(values: readonly (string | undefined)[], nowMs: number): BudgetDecision;
  /** Counters to add this request's cost to. */
  charges(userId: string | undefined, microYuan: number, nowMs: number): { key: string; by: number; ttlSeconds: number }[];
  /** After the record step: one log line per line this charge crossed. */
  reportCrossings(microYuan: number, totals: readonly number[], hasUser: boolean): void;
}

export function createBudgetGate(deps: { settings: BudgetSettings; prefix: string; logger: Logger }): BudgetGate {
  const { settings } = deps;
  const on = settings.app !== undefined || settings.per_user !== undefined;
  return {
    on,
    peekKeys: (userId, nowMs) => (on ? [spendKeys.app(deps.prefix, nowMs), spendKeys.user(deps.prefix, userId, nowMs)] : []),
    decide(values, nowMs) {
      if (!on) return { action: "allow" };
      return decideBudget(settings, { appMicroYuan: spendOfReply(values[0]), userMicroYuan: spendOfReply(values[1]) }, nowMs);
    },
    charges(userId, microYuan, nowMs) {
      if (!on || !(microYuan > 0)) return [];
      return [spendKeys.app(deps.prefix, nowMs), ...(userId ? [spendKeys.user(deps.prefix, userId, nowMs)] : [])].map((key) => ({ key, by: microYuan, ttlSeconds: SPEND_KEY_TTL_SECONDS }));
    },
    reportCrossings(microYuan, totals, hasUser) {
      if (!on || totals.length === 0) return;
      const crossings = budgetCrossings(settings, microYuan, { appMicroYuan: totals[0] ?? 0, ...(hasUser && totals[1] !== undefined ? { userMicroYuan: totals[1] } : {}) });
      for (const c of crossings) {
        const fields = { scope: c.scope, spentCny: microYuanToCny(c.spentMicroYuan), budgetCny: microYuanToCny(c.budgetMicroYuan), policy: c.scope === "app" ? settings.app?.policy : settings.per_user?.policy };
        if (c.kind === "warn") deps.logger.warn("budget warning", { ...fields, percent: settings.warn_at_percent });
        else deps.logger.error("budget exhausted", fields);
      }
    },
  };
}
