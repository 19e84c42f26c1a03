// Budgets in the request path, with no round trip of their own: today's spend and what requests
// in flight hold are read along with admission, which holds this request's most possible cost on
// held counters (atomically, after reading them: ten parallel requests see each other, and the
// day passes its budget by one request's most cost at most, as with the token quota; before,
// one user's ten parallel requests spent 8x its budget); the record step charges the real cost
// and releases the hold in its MULTI
// (whose INCRBY replies say which line this very charge crossed: exactly one instance sees it).
import type { Logger } from "../log/logger";
import { type BudgetDecision, budgetCrossings, decideBudget } from "./budget";
import type { BudgetSettings } from "./budgetSettings";
import { SPEND_KEY_TTL_SECONDS, spendKeys, spendOfReply } from "./budgetStorePlan";
import { microYuanToCny } from "./money";
import { type PriceBook, compilePrices } from "./priceBook";

type Counter = { key: string; by: number; ttlSeconds: number };

export interface BudgetGate {
  /** False when the environment sets no budget: nothing read, held or charged. */
  readonly on: boolean;
  /** What admission reads along: the app's spend, the user's, then what each has held. */
  peekKeys(userId: string, nowMs: number): string[];
  /** On what peekKeys read: the spend with what requests in flight hold. */
  decide(values: readonly (string | undefined)[], nowMs: number): BudgetDecision;
  /** The most a request of `tokens` (its quota reservation) may cost on the dearest of `models`, micro-yuan. */
  mostCost(tokens: number, models: readonly string[]): number;
  /** What admission holds (AdmitRequest.hold), or nothing to hold. */
  hold(userId: string, microYuan: number, nowMs: number): { keys: string[]; amount: number; ttlSeconds: number } | undefined;
  /** Counters to add this request's cost to, then the release of what admission held (`held`). */
  charges(userId: string | undefined, microYuan: number, nowMs: number, held?: number): Counter[];
  /** After the record step: one log line per line this charge crossed. */
  reportCrossings(microYuan: number, totals: readonly number[], hasUser: boolean): void;
}

/** The dearest of input and output per token: a reservation counts every token at it. */
function dearestNano(book: PriceBook, models: readonly string[]): number {
  let nano = 0;
  for (const model of models) {
    const price = book.get(model);
    if (price) nano = Math.max(nano, price.inputNanoPerToken, price.outputNanoPerToken);
  }
  return nano;
}

export function createBudgetGate(deps: { settings: BudgetSettings; prefix: string; logger: Logger; prices?: Parameters<typeof compilePrices>[0] }): BudgetGate {
  const { settings, prefix } = deps;
  const on = settings.app !== undefined || settings.per_user !== undefined;
  const book = compilePrices(deps.prices ?? {});
  return {
    on,
    peekKeys: (userId, nowMs) => (on ? [spendKeys.app(prefix, nowMs), spendKeys.user(prefix, userId, nowMs), spendKeys.appHeld(prefix, nowMs), spendKeys.userHeld(prefix, userId, nowMs)] : []),
    // No budget set: decideBudget has none to apply, and allows.
    decide(values, nowMs) {
      // A counter read as garbage (or a hold released below 0) counts as 0: spendOfReply.
      return decideBudget(settings, { appMicroYuan: spendOfReply(values[0]) + spendOfReply(values[2]), userMicroYuan: spendOfReply(values[1]) + spendOfReply(values[3]) }, nowMs);
    },
    mostCost: (tokens, models) => Math.ceil((Math.max(0, tokens) * dearestNano(book, models)) / 1000),
    hold(userId, microYuan, nowMs) {
      if (!on || !(microYuan > 0)) return undefined;
      return { keys: [spendKeys.appHeld(prefix, nowMs), spendKeys.userHeld(prefix, userId, nowMs)], amount: microYuan, ttlSeconds: SPEND_KEY_TTL_SECONDS };
    },
    charges(userId, microYuan, nowMs, held = 0) {
      if (!on) return [];
      const charged = microYuan > 0 ? [spendKeys.app(prefix, nowMs), ...(userId ? [spendKeys.user(prefix, userId, nowMs)] : [])].map((key) => ({ key, by: microYuan, ttlSeconds: SPEND_KEY_TTL_SECONDS })) : [];
      const released = held > 0 ? [spendKeys.appHeld(prefix, nowMs), ...(userId ? [spendKeys.userHeld(prefix, userId, nowMs)] : [])].map((key) => ({ key, by: -held, ttlSeconds: SPEND_KEY_TTL_SECONDS })) : [];
      return [...charged, ...released];
    },
    // Only a charge crosses a line (a charge of 0, or none, leaves each total where it was), and the
    // totals then start with the spend counters; with no budget set there is no line to cross.
    reportCrossings(microYuan, totals, hasUser) {
      const userTotal = hasUser ? totals[1] : undefined;
      // Stryker disable next-line ConditionalExpression: a user total of undefined is skipped by budgetCrossings either way.
      const crossings = budgetCrossings(settings, microYuan, { appMicroYuan: totals[0] ?? 0, ...(userTotal === undefined ? {} : { userMicroYuan: userTotal }) });
      for (const c of crossings) {
        const fields = { scope: c.scope, spentCny: microYuanToCny(c.spentMicroYuan), budgetCny: microYuanToCny(c.budgetMicroYuan), policy: c.policy };
        if (c.kind === "warn") deps.logger.warn("budget warning", { ...fields, percent: settings.warn_at_percent });
        else deps.logger.error("budget exhausted", fields);
      }
    },
  };
}
