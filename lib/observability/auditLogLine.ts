// The audit record as a log line: what CLS keeps as the audit trail (issue 28), while Redis keeps
// the record only for the replay window. One line of its own (msg "audit") beside the request's
// line, its fields at the top level: CLS's key-value index then serves both lines with one set of
// keys (intent, model, status, cost mean the same in both), `msg:"audit"` selects the trail, and
// SQL analysis groups on plain keys (`intent`, `ms`, `cost`) with no JSON unpacking.
import type { ResolvedEnvironment } from "../config/config";
import { type ContentDigest, processContentDigest } from "../identity/contentDigest";
import type { AuditRecord } from "./auditRecord";
import { type ContentMode, contentWriter } from "./contentPolicy";
import { createRedactor, redactDeep } from "./redact";

/** The `msg` of the audit line, what the report and replay search for. */
export const AUDIT_LINE_MSG = "audit";

/** Bumped when a field changes meaning; readers (report, plan, replay) accept the versions they know. */
export const AUDIT_LINE_VERSION = 1;

const STRICTNESS: Record<ContentMode, number> = { full: 0, redacted: 1, none: 2 };

/** The log line is both a log line and an audit record: the stricter of the two policies holds. */
export function auditLineContentMode(env: Pick<ResolvedEnvironment, "logging" | "audit">): ContentMode {
  const a = env.logging.content;
  const b = env.audit.keep_request;
  // Stryker disable next-line EqualityOperator: equal strictness means the same mode, so either one is it.
  return STRICTNESS[a] >= STRICTNESS[b] ? a : b;
}

/** What contentWriter("none") already made of a text: kept as is, not hashed a second time. */
function isDigest(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const v = value as { chars?: unknown; sha256?: unknown };
  return keys.length === 2 && typeof v.chars === "number" && typeof v.sha256 === "string" && /^[0-9a-f]{16}$/.test(v.sha256);
}

/** Keys the logger writes itself (`time` is the record's: when the request started). */
const LOGGER_KEYS = new Set(["msg", "level", "auditVersion"]);

/**
 * The fields to log, with msg AUDIT_LINE_MSG, for one audit record: the record step's record
 * (already under keep_request) passed again through the environment's stricter policy, so a
 * record built elsewhere cannot carry more than the line may. Built once per environment (the
 * redaction rules compile once); the returned function is pure. `digest` must be the trace
 * writers' own, so the line's digests match the request line's.
 */
export function createAuditLogLine(env: Pick<ResolvedEnvironment, "logging" | "audit">, digest: ContentDigest = processContentDigest()): (record: AuditRecord) => Record<string, unknown> {
  const mode = auditLineContentMode(env);
  const redact = createRedactor(env.logging.redact_patterns);
  const content = contentWriter(mode, redact, digest);
  const keepContent = (value: unknown) => (isDigest(value) ? value : content(value));
  return (record) => {
    const { traceId, request, answer, ...rest } = record as AuditRecord & Record<string, unknown>;
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(rest)) {
      if (LOGGER_KEYS.has(key) || value === undefined) continue;
      fields[key] = mode === "full" ? value : redactDeep(value, redact);
    }
    return {
      auditVersion: AUDIT_LINE_VERSION,
      traceId,
      ...fields,
      ...(request === undefined ? {} : { request: keepContent(request) }),
      ...(answer === undefined ? {} : { answer: keepContent(answer) }),
    };
  };
}
