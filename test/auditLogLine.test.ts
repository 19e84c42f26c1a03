// The audit line: the record the record step writes (built by the real trace writers of each
// shipped environment), logged under the stricter of the environment's two content policies.
import { describe, expect, it } from "vitest";
import { environmentOf, loadConfig, type ResolvedEnvironment } from "../lib/config/loadConfig";
import { AUDIT_LINE_MSG, AUDIT_LINE_VERSION, auditLineContentMode, createAuditLogLine } from "../lib/observability/auditLogLine";
import { type AuditRecord, auditRecordSchema } from "../lib/observability/auditRecord";
import { createLogger } from "../lib/observability/logger";
import { createTraceWriters, type TraceFacts } from "../lib/observability/requestTrace";
import { realConfigFiles } from "./support/harness";

const config = loadConfig(realConfigFiles());
const PHONE = "13812345678";
const facts: TraceFacts = {
  traceId: "trace-audit-line-1",
  requestId: "req-1",
  startedAt: Date.parse("2026-12-01T03:04:05.678Z"),
  userId: "user-1",
  intent: "summarize",
  profile: "summarize_v1",
  model: "hunyuan-lite",
  status: 200,
  usage: { promptTokens: 120, completionTokens: 30, totalTokens: 150 },
  attempts: [{ provider: "hunyuan", model: "hunyuan-lite", outcome: "ok" }] as TraceFacts["attempts"],
  request: { intent: "summarize", input: { text: `call me at ${PHONE}` } },
  answer: { summary: `phone ${PHONE} noted` },
  timings: { total: 812 },
  cost: { microYuan: 1234, complete: true, unpricedModels: [] },
};

/** The record as the record step stores it in `env`, parsed back as replay reads it. */
function recordIn(env: ResolvedEnvironment): AuditRecord & Record<string, unknown> {
  const entry = createTraceWriters(env, "t:").auditEntry(facts);
  if (!entry) throw new Error("no audit entry");
  return JSON.parse(entry.value) as AuditRecord & Record<string, unknown>;
}

const env = (name: "dev" | "staging" | "prod") => environmentOf(config, name);

describe("auditLogLine", () => {
  it("prod: every field of the record, a version, and the request and answer as the record's own digests (not hashed twice)", () => {
    const record = recordIn(env("prod"));
    const line = createAuditLogLine(env("prod"))(record);
    expect(line).toEqual({ auditVersion: AUDIT_LINE_VERSION, ...record });
    expect(line.request).toEqual({ chars: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(JSON.stringify(line)).not.toContain(PHONE);
    // Replay parses the line from CLS as an audit record.
    expect(auditRecordSchema.safeParse(line).success).toBe(true);
  });

  it("staging: the request is redacted, the rest kept", () => {
    const line = createAuditLogLine(env("staging"))(recordIn(env("staging")));
    expect(JSON.stringify(line)).not.toContain(PHONE);
    expect(line).toMatchObject({ traceId: facts.traceId, intent: "summarize", status: 200, cost: 0.001234, ms: 812, usage: facts.usage });
    expect(JSON.stringify(line.request)).toContain("call me at [");
  });

  it("dev: what the user sent, in full", () => {
    const line = createAuditLogLine(env("dev"))(recordIn(env("dev")));
    expect(line.request).toEqual(facts.request);
    expect(line.answer).toEqual(facts.answer);
  });

  it("a record holding more than the environment allows is cut down to its policy: a full record logged in prod is hashed, in staging redacted", () => {
    const full = recordIn(env("dev"));
    const prod = createAuditLogLine(env("prod"))(full);
    expect(prod.request).toEqual({ chars: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(prod.answer).not.toEqual(full.answer);
    const staging = createAuditLogLine(env("staging"))({ ...full, profile: `p ${PHONE}` });
    expect(JSON.stringify(staging)).not.toContain(PHONE);
  });

  it("the stricter of logging.content and audit.keep_request holds, whichever it is", () => {
    const base = env("dev");
    const mix = (content: "full" | "redacted" | "none", keep: "full" | "redacted" | "none") => ({ logging: { ...base.logging, content }, audit: { ...base.audit, keep_request: keep } });
    expect(auditLineContentMode(mix("none", "full"))).toBe("none");
    expect(auditLineContentMode(mix("full", "none"))).toBe("none");
    expect(auditLineContentMode(mix("redacted", "full"))).toBe("redacted");
    expect(auditLineContentMode(mix("full", "redacted"))).toBe("redacted");
    expect(auditLineContentMode(mix("full", "full"))).toBe("full");
    expect(createAuditLogLine(mix("none", "full"))(recordIn(env("dev"))).request).toEqual({ chars: expect.any(Number), sha256: expect.any(String) });
  });

  it("a record's msg or level cannot overwrite the logger's; the logged line's time is when the request started", () => {
    const lines: string[] = [];
    const logger = createLogger("info", (l) => lines.push(l));
    const record = { ...recordIn(env("prod")), msg: "request", level: "error" } as AuditRecord;
    logger.info(AUDIT_LINE_MSG, createAuditLogLine(env("prod"))(record));
    const logged = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
    expect(logged).toMatchObject({ msg: "audit", level: "info", auditVersion: 1, time: "2026-12-01T03:04:05.678Z", traceId: facts.traceId });
  });
  it("leaves out fields a built record holds as undefined, and hashes a request that only resembles a digest", () => {
    const record = { ...recordIn(env("prod")), model: undefined, request: { chars: 5, sha256: "not-a-hex-digest", extra: PHONE } } as AuditRecord;
    const line = createAuditLogLine(env("prod"))(record);
    expect(Object.keys(line)).not.toContain("model");
    expect(line.request).toEqual({ chars: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(JSON.stringify(line)).not.toContain(PHONE);
  });
  it("dev keeps the record's other fields as they are; staging redacts them", () => {
    const record = { ...recordIn(env("dev")), profile: `p ${PHONE}` } as AuditRecord;
    expect(createAuditLogLine(env("dev"))(record).profile).toBe(`p ${PHONE}`);
    expect(createAuditLogLine(env("staging"))(record).profile).not.toContain(PHONE);
  });

  it("a record's auditVersion cannot overwrite the line's", () => {
    const record = { ...recordIn(env("prod")), auditVersion: 99 } as AuditRecord;
    expect(createAuditLogLine(env("prod"))(record).auditVersion).toBe(AUDIT_LINE_VERSION);
  });

  it("a record without a request or an answer gives a line without them", () => {
    const { request: _request, answer: _answer, ...bare } = recordIn(env("prod"));
    const line = createAuditLogLine(env("prod"))(bare as AuditRecord);
    expect(Object.keys(line)).not.toContain("request");
    expect(Object.keys(line)).not.toContain("answer");
    expect(line.traceId).toBe(facts.traceId);
  });

  it("keeps as is only a digest exactly as contentWriter makes it; anything else is hashed", () => {
    const line = (request: unknown) => createAuditLogLine(env("prod"))({ ...recordIn(env("prod")), request } as AuditRecord).request;
    const digest = { chars: 17, sha256: "0123456789abcdef" };
    expect(line(digest)).toEqual(digest);
    const hashed = { chars: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{16}$/) };
    for (const lookalike of [
      { chars: "17", sha256: "0123456789abcdef" },
      { chars: 17, sha256: 1234567890123456 },
      { chars: 17, sha256: "0123456789abcdef", extra: 1 },
      { chars: 17 },
      { chars: 17, sha256: "x0123456789abcdef" },
      { chars: 17, sha256: "0123456789abcdefx" },
      [17, "0123456789abcdef"],
    ]) {
      const out = line(lookalike);
      expect(out, JSON.stringify(lookalike)).toEqual(hashed);
      expect(out, JSON.stringify(lookalike)).not.toEqual(lookalike);
    }
    expect(line(`call me at ${PHONE}`)).toEqual(hashed);
    expect(line(null)).not.toBeNull();
  });
});
