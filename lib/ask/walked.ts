// What the walk knows when a request ends, however far it got, and the trace facts (the log
// line's and the audit record's) made from it: a pure function of values the steps returned.
import { AppError } from "../appError";
import type { ResolvedProfile } from "../config/config";
import { ModelCallError } from "../models/callModelChain";
import type { TraceFacts } from "../observability/requestTrace";
import type { Arm } from "../routing/resolveProfile";
import type { AskAdmission } from "./askAdmission";
import type { ParsedAsk } from "./parseAsk";
import type { Plan } from "./prepareAsk";
import type { Answered } from "./respond";

export interface Walked {
  parsed?: ParsedAsk;
  userId?: string;
  /** The profile chosen, known before the input is parsed (an invalid input still names it). */
  route?: { profile: ResolvedProfile; arm: Arm };
  plan?: Plan;
  admission?: AskAdmission;
  answered?: Partial<Answered>;
  /** The budget's decision, when it changed the request. */
  budget?: "degraded";
}

export interface TraceBase {
  traceId: string;
  startedAt: number;
  requestId?: string;
  timings: Record<string, number>;
}

export function traceFactsOf(base: TraceBase, walked: Walked, status: number, err: unknown): TraceFacts {
  const { parsed, plan, admission, answered } = walked;
  const request = parsed?.request;
  return {
    ...base,
    status,
    // The log keeps which providers failed; the client was told only that none could answer.
    ...(err instanceof AppError ? { code: err.code, message: err instanceof ModelCallError && err.summary ? err.summary : err.message } : {}),
    // What the user sent is logged (and redacted) only for an authenticated request.
    ...(request && walked.userId ? { request: { input: request.input, ...(request.context ? { context: request.context } : {}), ...(request.profile ? { profile: request.profile } : {}) } } : {}),
    ...(parsed ? { intent: parsed.intent.name } : {}),
    ...(walked.userId ? { userId: walked.userId } : {}),
    ...(walked.route ? { profile: walked.route.profile.name, profileHash: walked.route.profile.contentHash, arm: walked.route.arm } : {}),
    ...(plan && plan.mode !== "whole" ? { stream: true } : {}),
    ...(admission ? { limit: admission.limit, cache: admission.cache } : {}),
    ...(answered?.model ? { model: answered.model } : {}),
    ...(answered?.provider ? { provider: answered.provider } : {}),
    ...(answered?.usage ? { usage: answered.usage } : {}),
    ...(answered?.answer === undefined ? {} : { answer: answered.answer }),
    ...(answered?.extra || walked.budget ? { extra: { ...answered?.extra, ...(walked.budget ? { budget: walked.budget } : {}) } } : {}),
    ...(answered?.cost ? { cost: answered.cost } : {}),
    ...(err instanceof ModelCallError ? { attempts: err.attempts } : answered?.attempts ? { attempts: answered.attempts } : {}),
  };
}
