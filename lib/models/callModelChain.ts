// Walks an alias's provider chain inside one latency budget. A timeout, a connection error, a
// 429, a 5xx or an unusable reply moves on to the next entry; any other 4xx stops (retrying a
// rejected request elsewhere would only hide a bug). When every entry failed and budget is
// left, the chain is tried again after a backoff with jitter, and a provider that sent
// Retry-After is not called again before that time (across instances too, through the
// breakers' shared state). What a provider's own code says is acted on (providerVerdict.ts): a
// content refusal is the user's content refused (422/502, not sent to the next provider, not a
// breaker failure); an account out of money is held open until an operator acts. Provider
// error text never reaches the caller: only kinds, statuses and the provider's check's name.
import { setTimeout as defaultSleep } from "node:timers/promises";
import * as z from "zod/mini";
import { AppError } from "../appError";
import type { Attempt, FailureKind, ModelRequest, ModelResult, Usage } from "../chat/types";
import { believedUsage, estimatedUsage, reportedUsage } from "../chat/usage";
import { type CallTrace, chatBodyOf, traceHeadersOf } from "./chatBody";
import { complete, WireError } from "../openaiWire";
import { ModelTimeout, maxReplyChars } from "./deadline";
import type { BreakerHub } from "../breaker/breakerHub";
import { completionSchema } from "./completionSchema";
import type { ModelTarget } from "./modelTargets";
import { MODEL_REFUSAL_CHECK, ProviderRefusal, interruptedBy, verdictOfFailure, verdictOfFinish } from "./providerVerdict";

/** AppError that also carries the attempts, so the log line can say what failed and why. */
export class ModelCallError extends AppError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly attempts: Attempt[],
    /** Which targets failed and how, for the log line (clients get `message` only: our providers are ours). */
    readonly summary = "",
  ) {
    super(status, code, message);
  }
}

export interface ChainOptions {
  budgetMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Passes over the whole chain (default 2). */
  maxRounds?: number;
  /** Skip targets whose breaker is open; record every call's outcome on its breaker. */
  breakers?: Pick<BreakerHub, "admit" | "record"> & { hold?(target: ModelTarget, reason: HoldReason, untilMs: number, detail: string): void };
  /** Whose call it is (a hash): a breaker counts one user's failures only so far. */
  who?: string;
  /** Less than this left of the budget: the target is skipped rather than given a sliver. */
  minAttemptMs?: number;
  /** First backoff between rounds (default 200 ms), doubled each round, jittered ±50%. */
  backoffMs?: number;
  /** A provider reported more usage than the call could have used (believedUsage clamped it): for a warn line. */
  onUsageClamped?: (target: ModelTarget, reported: Usage, bound: { promptTokens: number; completionTokens: number }) => void;
  /** A provider refused the key (401/403): read it again (a key from SSM may have been rotated). */
  onKeyRejected?: (target: ModelTarget) => unknown;
}

export class UnusableReply extends Error {}

/** Why a target is held open: its account is out of money, or it asked us to wait (Retry-After). */
export type HoldReason = "out_of_funds" | "retry_after";

/** A model call's answer; `truncated` when the provider cut it at max_tokens (finish_reason `length`). */
export type ChainResult = ModelResult & { truncated?: true };

export { ModelTimeout };

export function classifyModelError(err: unknown): { kind: FailureKind; status?: number; retryAfterMs?: number } {
  if (err instanceof ModelTimeout) return { kind: "timeout" };
  if (err instanceof WireError) return classifyWireError(err);
  // A body that is not JSON (SyntaxError) or not a completion (UnusableReply).
  return { kind: "bad_response" };
}

function classifyWireError(err: WireError): { kind: FailureKind; status?: number; retryAfterMs?: number } {
  if (err.kind === "timeout") return { kind: "timeout" };
  if (err.kind === "connection" || err.kind === "aborted") return { kind: "connection" };
  if (err.kind === "http" && err.status !== undefined) {
    const extra = err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs };
    if (err.status === 429) return { kind: "rate_limited", status: 429, ...extra };
    if (err.status >= 500) return { kind: "server_error", status: err.status, ...extra };
    return { kind: "rejected", status: err.status };
  }
  return { kind: "bad_response" };
}

async function callOnce(target: ModelTarget, request: ModelRequest, timeoutMs: number, trace?: CallTrace, onUsageClamped?: ChainOptions["onUsageClamped"]): Promise<Omit<ChainResult, "attempts" | "provider">> {
  const headers = traceHeadersOf(trace);
  // First byte to last byte: the whole call, body included, within the attempt's time; a reply
  // past what max_tokens allows is not even read to its end.
  const reply: unknown = await complete(target, chatBodyOf(target, request, trace), {
    timeoutMs,
    maxBodyBytes: maxReplyChars(request.maxTokens) * 4 + 64 * 1024,
    ...(headers ? { headers } : {}),
  });
  const parsed = z.safeParse(completionSchema, reply);
  // Stryker disable next-line StringLiteral,ConditionalExpression: the message never leaves; unchecked, parsed.data's TypeError is the same bad_response.
  if (!parsed.success) throw new UnusableReply("not a chat completion");
  const choice = parsed.data.choices[0]!;
  const message = choice.message;
  const text = message.content ?? "";
  // The provider's check withheld the output (content_filter, Hunyuan's sensitive), or the
  // model declined (refusal, with nothing else said): the user's content, not a failure.
  const refused = verdictOfFinish(choice.finish_reason);
  if (refused?.kind === "refused") throw new ProviderRefusal(target.provider, refused.side, refused.check);
  if (message.refusal && text === "") throw new ProviderRefusal(target.provider, "output", MODEL_REFUSAL_CHECK);
  // Stryker disable next-line StringLiteral: an UnusableReply's message never leaves; walkChain keeps only the failure's kind.
  if (interruptedBy(choice.finish_reason)) throw new UnusableReply("interrupted by the provider");
  const toolCalls = (message.tool_calls ?? []).map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
  // Stryker disable next-line StringLiteral: an UnusableReply's message never leaves; walkChain keeps only the failure's kind.
  if (text === "" && toolCalls.length === 0) throw new UnusableReply("empty reply");
  // Stryker disable next-line StringLiteral: an UnusableReply's message never leaves; walkChain keeps only the failure's kind.
  if (text.length > maxReplyChars(request.maxTokens)) throw new UnusableReply("reply longer than max_tokens allows");
  // Reasoning models count their chain of thought in completion_tokens (DeepSeek, DashScope):
  // the reported usage is what is charged; the estimate (no usage reported) sees the text only.
  const usage = believedUsage(reportedUsage(parsed.data.usage) ?? estimatedUsage(request.messages, text), request, (reported, bound) => onUsageClamped?.(target, reported, bound));
  return { text, toolCalls, model: parsed.data.model ?? target.model, usage, ...(choice.finish_reason === "length" ? { truncated: true as const } : {}) };
}

const DEFAULT_MIN_ATTEMPT_MS = 100;

/** How long an account out of money stays held open unless an operator clears it first. */
export const OUT_OF_FUNDS_HOLD_MS = 30 * 24 * 3_600_000;

/** A Retry-After longer than this is read as this: a provider's typo must not park it for days. */
export const MAX_RETRY_AFTER_HOLD_MS = 3_600_000;

/**
 * A target that said Retry-After is held open for that long, in the breakers' shared state, so no
 * instance calls it sooner; without a hold (breakers off) the failure is recorded as usual.
 */
function holdFor(options: ChainOptions, target: ModelTarget, probe: boolean, kind: string, retryAfterMs: number, nowMs: number): void {
  const hold = options.breakers?.hold;
  if (!hold) {
    options.breakers?.record(target, kind, probe, options.who);
    return;
  }
  hold.call(options.breakers, target, "retry_after", nowMs + Math.min(retryAfterMs, MAX_RETRY_AFTER_HOLD_MS), `Retry-After ${Math.ceil(retryAfterMs / 1000)} s (${kind})`);
}

/**
 * The shared walk: `attempt` calls one target with a timeout and returns or throws. Used by
 * the plain call below and by the streaming call (which may only fall back before its first
 * delta).
 */
export async function walkChain<T>(
  chain: readonly ModelTarget[],
  options: ChainOptions,
  attempt: (target: ModelTarget, timeoutMs: number) => Promise<T>,
): Promise<{ value: T; target: ModelTarget; attempts: Attempt[] }> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const deadline = now() + options.budgetMs;
  const attempts: Attempt[] = [];
  const notBefore = new Map<ModelTarget, number>();
  /** Out of money: not called again in this request (the breakers keep it so for the next ones). */
  const broke = new Set<ModelTarget>();
  const rounds = options.maxRounds ?? 2;
  for (let round = 0; round < rounds; round++) {
    if (round > 0) {
      const backoff = (options.backoffMs ?? 200) * 2 ** (round - 1) * (0.5 + random());
      if (now() + backoff >= deadline) break;
      await sleep(backoff);
    }
    for (const target of chain) {
      if (broke.has(target)) continue;
      const wait = (notBefore.get(target) ?? 0) - now();
      if (wait > 0) {
        if (now() + wait >= deadline) {
          attempts.push({ provider: target.provider, model: target.model, outcome: "retry_after_exceeds_budget", ms: 0 });
          continue;
        }
        await sleep(wait);
      }
      const remaining = deadline - now();
      if (remaining <= 0) break;
      // Deadline-aware: a target gets what is left of the budget when that is less than its own
      // timeout, and is skipped when too little is left to be worth a call.
      if (remaining < (options.minAttemptMs ?? DEFAULT_MIN_ATTEMPT_MS)) {
        attempts.push({ provider: target.provider, model: target.model, outcome: "skipped", reason: "budget_left", ms: 0 });
        continue;
      }
      // Stryker disable next-line BooleanLiteral: without breakers the probe flag is read by nothing (only breakers?.record takes it).
      const gate = options.breakers?.admit(target).admission ?? { allowed: true as const, probe: false };
      if (!gate.allowed) {
        attempts.push({ provider: target.provider, model: target.model, outcome: "skipped", reason: gate.reason === "open" ? "breaker_open" : "breaker_probe_in_flight", ms: 0 });
        continue;
      }
      const started = now();
      try {
        const value = await attempt(target, Math.min(target.timeoutMs, remaining));
        attempts.push({ provider: target.provider, model: target.model, outcome: "ok", ms: now() - started });
        options.breakers?.record(target, "ok", gate.probe);
        return { value, target, attempts };
      } catch (err) {
        const verdict = verdictOfFailure(err);
        const refusal = err instanceof ProviderRefusal ? err : verdict?.kind === "refused" ? new ProviderRefusal(target.provider, verdict.side, verdict.check) : undefined;
        if (refusal) {
          // The provider answered (its check refused the content): not a failure of the target,
          // and the same content goes to no other provider.
          options.breakers?.record(target, "rejected", gate.probe);
          attempts.push({ provider: target.provider, model: target.model, outcome: "rejected", reason: `content_refused:${refusal.check}`, ms: now() - started });
          throw refusal;
        }
        if (err instanceof AppError) {
          options.breakers?.record(target, "aborted", gate.probe);
          throw err;
        }
        const { kind, status, retryAfterMs } = classifyModelError(err);
        const funds = verdict?.kind === "out_of_funds" ? verdict.check : undefined;
        attempts.push({ provider: target.provider, model: target.model, outcome: kind, ...(status === undefined ? {} : { status }), ...(funds ? { reason: `out_of_funds:${funds}` } : {}), ms: now() - started });
        if (funds) {
          // Not our request's fault and not a passing fault: skipped, here and on every instance,
          // until an operator clears it (README: "Clearing an out-of-money hold").
          broke.add(target);
          options.breakers?.hold?.(target, "out_of_funds", now() + OUT_OF_FUNDS_HOLD_MS, funds);
          continue;
        }
        if (kind === "rejected") {
          // A refused key (rotated in SSM, say): the next call should carry the key read again.
          if (status === 401 || status === 403) void options.onKeyRejected?.(target);
          options.breakers?.record(target, kind, gate.probe, options.who);
          throw new ModelCallError(502, "model_rejected", "the model provider rejected the request", attempts);
        }
        if (retryAfterMs !== undefined) {
          notBefore.set(target, now() + retryAfterMs);
          holdFor(options, target, gate.probe, kind, retryAfterMs, now());
        } else options.breakers?.record(target, kind, gate.probe, options.who);
      }
    }
  }
  const summary = attempts.map((a) => `${a.provider}/${a.model}: ${a.outcome}`).join(", ") || "latency budget spent before any attempt";
  throw new ModelCallError(503, "model_unavailable", "no model could answer right now; try again shortly", attempts, `no model could answer (${summary})`);
}

export async function callModelChain(chain: readonly ModelTarget[], request: ModelRequest, options: ChainOptions & { trace?: CallTrace }): Promise<ChainResult> {
  const { value, target, attempts } = await walkChain(chain, options, (t, timeoutMs) => callOnce(t, request, timeoutMs, options.trace, options.onUsageClamped));
  return { ...value, provider: target.provider, attempts };
}
