// POST /v1/mini/refine through the same budget gate as /ask: a refinement calls the strong model,
// so its admission reads today's spend along with the limits, holds the strong call's most cost
// (the job's prompt and the target's max_tokens at the dearest model of its chain), and the hold
// is released once the refinement is recorded (its charge is the refiner's). Past a budget the
// refinement is not computed, under either policy: `refuse` as /ask (429 budget_exceeded until
// Beijing midnight), and `degrade` the same 429, since a refinement has no cheaper form to fall
// back to (the client keeps the fast draft it already shows). A refinement already kept costs
// nothing and is served whatever the budget says.
import { AppError } from "../appError";
import { reserveTokensOf } from "../limits/reserveTokens";
import type { Config } from "../config/config";
import { budgetRefusal } from "../cost/budget";
import type { BudgetGate } from "../cost/budgetGate";
import type { AskContext, Intent } from "../intents/intent";
import type { IntentName } from "../intents/names";
import type { AdmitAsk, Admission } from "../limits/admit";
import type { RecordInput } from "../record/recordRequest";
import type { Store } from "../store/store";
import { storeKeys } from "../store/storeKeys";
import { retryAfterUntilBeijingMidnight } from "../time/beijingTime";
import { parseStoredJson } from "../validation/parseStored";
import { type RefineJob, entrySchema } from "./refineEntry";
import { refineTargetOf } from "./refiner";

export interface RefineAdmissionDeps {
  config: Config;
  intents: Partial<Record<IntentName, Intent>>;
  store: Store;
  prefix: string;
  budget: BudgetGate;
  admit: (request: AdmitAsk) => Promise<Admission>;
  record: (request: RecordInput) => Promise<unknown>;
  /** The model names of an alias's chain here: the hold is at the dearest. */
  chainModels: (alias: string) => readonly string[];
  toolRounds: number;
}

/** The most the job's strong call may cost, micro-yuan (0 when there is nothing to call). */
function mostCostOf(deps: RefineAdmissionDeps, job: RefineJob): number {
  const base = deps.config.profiles[job.profile];
  const target = base ? refineTargetOf(deps.config, base) : undefined;
  const intent = deps.intents[job.intent as IntentName];
  if (!target || !intent) return 0;
  try {
    const call = intent.prepare(job.input, job.context as AskContext | undefined);
    return deps.budget.mostCost(reserveTokensOf(target, call, deps.toolRounds), deps.chainModels(target.model));
  } catch {
    // A job the intent no longer reads: the refiner fails it the same way, with no model call.
    return 0;
  }
}

/** Admits one /refine call (limits always; the budget when it will call a model); release() after the refinement. */
export function createRefineAdmission(deps: RefineAdmissionDeps) {
  return async function admitRefine(userId: string, traceId: string): Promise<{ release: () => Promise<void> }> {
    const entry = parseStoredJson(entrySchema, await deps.store.get(storeKeys.refine(deps.prefix, `${userId}:${traceId}`)));
    const pending = entry && entry.job.userId === userId && !entry.result && !entry.withheld ? entry.job : undefined;
    const nowMs = Date.now();
    const keys = pending ? deps.budget.peekKeys(userId, nowMs) : [];
    const hold = pending ? deps.budget.hold(userId, mostCostOf(deps, pending), nowMs) : undefined;
    const admitted = await deps.admit({ traceId, userId, intent: "refine", ...(keys.length ? { peek: { keys } } : {}), ...(hold ? { hold } : {}) });
    const held = admitted.held ?? 0;
    const release = async () => {
      if (held > 0) await deps.record({ traceId, userId, tokens: 0, increments: deps.budget.charges(userId, 0, admitted.atMs, held) });
    };
    if (!pending) return { release };
    const decision = deps.budget.decide(admitted.peeked?.values ?? [], admitted.atMs);
    if (decision.action === "allow") return { release };
    await release();
    const refusal = budgetRefusal(decision.action === "refuse" ? decision : { ...decision, action: "refuse", retryAfterSeconds: retryAfterUntilBeijingMidnight(admitted.atMs) });
    throw new AppError(refusal.status, refusal.code, refusal.message, refusal.headers);
  };
}
