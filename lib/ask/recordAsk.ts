// The record step of /ask: the quota settled with the real usage, the cacheable answer, the
// audit record, today's spend and the breakers' transitions in one store trip, then the one log
// line. Always before the response's last byte: SCF promises a web function nothing after its
// response (an event function freezes when it returns), so a record written later could be lost.
import { AppError } from "../appError";
import type { BreakerHub } from "../breaker/breakerHub";
import { cachedAnswerValue } from "../cache/cachedAnswer";
import type { BudgetGate } from "../cost/budgetGate";
import type { AuditRecord } from "../observability/auditRecord";
import { AUDIT_LINE_MSG } from "../observability/auditLogLine";
import type { Logger } from "../log/logger";
import type { createTraceWriters } from "../observability/requestTrace";
import type { RecordInput } from "../record/recordRequest";
import { type TraceBase, type Walked, traceFactsOf } from "./walked";

export interface RecordAskDeps {
  record: (request: RecordInput) => Promise<{ stored: boolean; totals: number[] }>;
  trace: ReturnType<typeof createTraceWriters>;
  budget: BudgetGate;
  breakers?: BreakerHub;
  logger: Logger;
  /** The audit record as its log line (lib/observability/auditLogLine): the trail the log service keeps. */
  auditLine: (record: AuditRecord) => Record<string, unknown>;
}

export function createRecordAsk(deps: RecordAskDeps) {
  return async function recordAsk(base: TraceBase, walked: Walked, status: number, err?: unknown): Promise<void> {
    const facts = traceFactsOf(base, walked, status, err);
    const { plan, admission, answered } = walked;
    // The store just failed: do not wait on it again.
    const storeDown = admission?.limit === "store_error_open" || (err instanceof AppError && err.code === "store_unavailable");
    const cache =
      status === 200 && answered?.cacheable && answered.model !== undefined && plan?.cacheKey && plan.profile.cache
        ? { key: plan.cacheKey, value: cachedAnswerValue({ answer: answered.answer, model: answered.model, ...(answered.draft ? { draft: true } : {}) }), ttlSeconds: plan.profile.cache.ttl_seconds }
        : undefined;
    const audit = deps.trace.auditEntry(facts);
    // The trail is the log line, written whatever the store does: Redis keeps the record only
    // for the replay window, and a store outage no longer loses it.
    if (audit) deps.logger.info(AUDIT_LINE_MSG, deps.auditLine(JSON.parse(audit.value) as AuditRecord));
    // Settles the reservation: the real usage less what admission reserved (negative gives back).
    const tokens = (answered?.usage?.totalTokens ?? 0) - (admission?.reserved ?? 0);
    const spent = answered?.cost?.microYuan ?? 0;
    const increments = deps.budget.charges(walked.userId, spent, admission?.atMs ?? base.startedAt, admission?.held ?? 0);
    const newerFields = deps.breakers?.drainWrites() ?? [];
    const recorded =
      storeDown || !audit
        ? { stored: false, totals: [] }
        : await deps.record({ traceId: base.traceId, ...(walked.userId ? { userId: walked.userId } : {}), ...(admission ? { quotaDayMs: admission.atMs } : {}), tokens, ...(cache ? { cache } : {}), audit, increments, newerFields });
    deps.budget.reportCrossings(spent, recorded.totals, walked.userId !== undefined);
    deps.logger.info("request", { ...deps.trace.logLine(facts), ...(recorded.stored || !audit ? {} : { audited: false }) });
  };
}
