// Step 5 of the walk: one store trip that checks the limits, reserves the quota, reads the
// cache, today's spend and the shared breakers; then the budget's decision: refuse (429 until
// Beijing midnight), degrade (strong -> fast, no refine) or go on.
import { AppError } from "../appError";
import type { BreakerHub } from "../breaker/breakerHub";
import type { ResolvedProfile } from "../config/config";
import type { BudgetSettings } from "../cost/budgetSettings";
import { budgetRefusal } from "../cost/budget";
import type { BudgetGate } from "../cost/budgetGate";
import type { AdmitAsk, Admission } from "../limits/admit";
import { type AskAdmission, readCachedAnswer } from "./askAdmission";
import { degradedPlan } from "./degradedPlan";
import type { Plan } from "./prepareAsk";

export function createAdmitAsk(deps: { admit: (request: AdmitAsk) => Promise<Admission>; budget: BudgetGate; budgetSettings: BudgetSettings; breakers?: BreakerHub; now: () => number; /** The model names of an alias's chain here: the budget holds at the dearest. */ chainModels?: (alias: string) => readonly string[]; /** The alias a profile's `refine:` calls (it may name a profile); without it, `refine:` is read as an alias. */ refineAliasOf?: (profile: ResolvedProfile) => string | undefined }) {
  /** `refusal`: the budget is spent and its policy refuses (thrown by the caller once it has recorded the admission, whose reservation the record step gives back). */
  return async function admitAsk(prepared: Plan): Promise<{ admission: AskAdmission; plan: Plan; degraded: boolean; refusal?: AppError }> {
    const { traceId, userId } = prepared;
    const nowMs = deps.now();
    const peek = { keys: deps.budget.peekKeys(userId, nowMs), ...(deps.breakers ? { hash: deps.breakers.hashKey } : {}) };
    // The most this request may cost, held on today's budget counters like the quota's tokens:
    // a refining profile may call its refine target too (a streamed answer refines in the same
    // request), so the hold adds that call's most (before, it held only the fast model's).
    const most = (alias: string | undefined) => (alias ? deps.budget.mostCost(prepared.reserveTokens, deps.chainModels?.(alias) ?? []) : 0);
    const hold = deps.budget.hold(userId, most(prepared.profile.model) + most(deps.refineAliasOf?.(prepared.profile) ?? prepared.profile.refine), nowMs);
    const admitted = await deps.admit({
      traceId,
      userId,
      intent: prepared.intent.name,
      reserveTokens: prepared.reserveTokens,
      ...(prepared.cacheKey ? { cacheKey: prepared.cacheKey } : {}),
      ...(peek.keys.length || peek.hash ? { peek } : {}),
      ...(hold ? { hold } : {}),
    });
    const admission = readCachedAnswer(prepared, admitted);
    if (admitted.peeked) deps.breakers?.mergeShared(admitted.peeked.hash);
    // A cached draft may still call the strong model (its refinement): the budget decides that
    // part; past it the draft is served as it is (degraded: no refinement), never refused.
    const decision = admission.hit && !admission.hit.draft ? ({ action: "allow" } as const) : deps.budget.decide(admitted.peeked?.values ?? [], admitted.atMs);
    if (decision.action === "refuse" && !admission.hit) {
      const refusal = budgetRefusal(decision);
      return { admission, plan: prepared, degraded: false, refusal: new AppError(refusal.status, refusal.code, refusal.message, refusal.headers) };
    }
    const degraded = decision.action !== "allow";
    return { admission, plan: degraded ? degradedPlan(prepared, deps.budgetSettings) : prepared, degraded };
  };
}
