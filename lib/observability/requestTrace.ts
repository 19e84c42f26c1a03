// What one request leaves behind: one log line and one audit record, built from the same
// facts, each written through its own content policy (what text may be kept).
import { type ContentDigest, processContentDigest } from "../identity/contentDigest";
import { userHashOf } from "../identity/userHash";
import { auditReplayTtlSeconds } from "../config/config";
import type { ResolvedEnvironment } from "../config/loadConfig";
import { storeKeys } from "../store/storeKeys";
import type { Attempt, Usage } from "../chat/types";
import { microYuanToCny } from "../cost/money";
import type { RequestCost } from "../cost/priceBook";
import { contentWriter } from "./contentPolicy";
import { createRedactor, redactDeep } from "./redact";

export interface TraceFacts {
  traceId: string;
  requestId?: string;
  startedAt: number;
  userId?: string;
  intent?: string;
  profile?: string;
  profileHash?: string;
  /** control, rollout or requested: which arm of a rollout served it. */
  arm?: string;
  model?: string;
  provider?: string;
  attempts?: Attempt[];
  cache?: string;
  limit?: string;
  usage?: Usage;
  stream?: boolean;
  status: number;
  code?: string;
  message?: string;
  /** What the user sent (input, context, requested profile) and what they got. */
  request?: unknown;
  answer?: unknown;
  timings: Record<string, number>;
  extra?: Record<string, unknown>;
  /** What the request's model calls cost (a cache hit: none). */
  cost?: RequestCost;
}

/** Cost fields of a log line and an audit record: CNY, and which models had no price. */
function costFields(cost: RequestCost | undefined): Record<string, unknown> {
  if (!cost) return {};
  return { cost: microYuanToCny(cost.microYuan), ...(cost.complete ? {} : { costComplete: false, unpricedModels: cost.unpricedModels }) };
}

/** `digest`: the deployment's keyed content digest (contentDigestOf(contentDigestKey(userIdSalt))). */
export function createTraceWriters(env: ResolvedEnvironment, prefix: string, digest: ContentDigest = processContentDigest()) {
  const redact = createRedactor(env.logging.redact_patterns);
  const logContent = contentWriter(env.logging.content, redact, digest);
  const auditContent = contentWriter(env.audit.keep_request, redact, digest);
  // Error messages can quote what the user sent (an unknown intent, a bad value): same policy,
  // but always at least redacted.
  const message = env.logging.content === "full" ? (m: string) => m : redact;
  // Outside "full", every other string of the record passes the rules too, as in log lines.
  const auditFields = env.audit.keep_request === "full" ? <T>(v: T) => v : <T>(v: T) => redactDeep(v, redact) as T;
  const userHash = (userId: string | undefined) => (userId ? userHashOf("audit", userId, 16) : undefined);

  return {
    redact,
    logLine(f: TraceFacts): Record<string, unknown> {
      return {
        traceId: f.traceId,
        requestId: f.requestId,
        env: env.name,
        intent: f.intent,
        profile: f.profile,
        profileHash: f.profileHash,
        arm: f.arm,
        model: f.model,
        provider: f.provider,
        attempts: f.attempts,
        cache: f.cache,
        limit: f.limit,
        tokens: f.usage?.totalTokens,
        usage: f.usage,
        stream: f.stream,
        status: f.status,
        code: f.code,
        // Where no user text may be logged, a client error's message (which can quote what the
        // user sent) is left out: its code says what happened. Server errors say nothing of the user.
        error: f.message === undefined || (env.logging.content === "none" && f.status < 500) ? undefined : message(f.message),
        timings: f.timings,
        ...costFields(f.cost),
        ...(f.request === undefined ? {} : { input: logContent(f.request) }),
        ...(f.answer === undefined ? {} : { output: logContent(f.answer) }),
        ...f.extra,
      };
    },
    /**
     * Authenticated requests only: a request whose token failed writes no record (it is counted
     * per client IP instead), so no one can fill or overwrite the store without a token.
     */
    auditEntry(f: TraceFacts): { key: string; value: string; ttlSeconds: number } | undefined {
      const user = userHash(f.userId);
      if (!user) return undefined;
      const record = {
        traceId: f.traceId,
        ...auditFields({
        requestId: f.requestId,
        time: new Date(f.startedAt).toISOString(),
        env: env.name,
        user,
        intent: f.intent,
        profile: f.profile,
        profileHash: f.profileHash,
        arm: f.arm,
        model: f.model,
        outcome: f.code ?? "ok",
        status: f.status,
        usage: f.usage,
        cached: f.cache === "hit",
        ms: f.timings.total,
        attempts: f.attempts,
        ...costFields(f.cache === "hit" ? { microYuan: 0, complete: true, unpricedModels: [] } : f.cost),
        ...f.extra,
        }),
        ...(f.request === undefined ? {} : { request: auditContent(f.request) }),
        ...(f.answer === undefined ? {} : { answer: auditContent(f.answer) }),
      };
      return { key: storeKeys.audit(prefix, f.traceId, user), value: JSON.stringify(record), ttlSeconds: auditReplayTtlSeconds(env) };
    },
  };
}
