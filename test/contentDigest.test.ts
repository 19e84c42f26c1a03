// What prod logs in place of a user's text: a keyed digest (F5). An unkeyed sha256 of a mobile
// number is reversed by trying the ~10^10 numbers; the digest must need the deployment's secret.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson, sha256Hex } from "../lib/config/canonicalJson";
import { environmentOf, loadConfig } from "../lib/config/loadConfig";
import { CONTENT_DIGEST_LABEL, contentDigestKey, contentDigestOf, processContentDigest } from "../lib/identity/contentDigest";
import { AUDIT_LINE_MSG, createAuditLogLine } from "../lib/observability/auditLogLine";
import type { AuditRecord } from "../lib/observability/auditRecord";
import { createLogger } from "../lib/observability/logger";
import { type TraceFacts, createTraceWriters } from "../lib/observability/requestTrace";
import { TEST_USER_ID_SALT, realConfigFiles, startHarness } from "./support/harness";

const prod = environmentOf(loadConfig(realConfigFiles()), "prod");
const OTHER_SALT = "another-deployment-user-id-salt-0123456789";
const request = { input: { text: "13812345678" } };
const answer = { summary: "noted" };
const facts = (traceId: string, userId: string): TraceFacts => ({ traceId, startedAt: Date.now(), userId, intent: "summarize", status: 200, request, answer, timings: { total: 5 } });
const unkeyed = (value: unknown) => sha256Hex(canonicalJson(value)).slice(0, 16);
const digestWith = (salt: string) => contentDigestOf(contentDigestKey(salt));

/** The request line, the stored audit record and the audit line of one request, as logged. */
function logRequest(salt: string | undefined, f: TraceFacts) {
  const digest = salt === undefined ? undefined : digestWith(salt);
  const trace = createTraceWriters(prod, "t:digest:", digest);
  const lines: string[] = [];
  const logger = createLogger("info", (l) => lines.push(l));
  logger.info("request", trace.logLine(f));
  const record = JSON.parse(trace.auditEntry(f)!.value) as AuditRecord;
  logger.info(AUDIT_LINE_MSG, createAuditLogLine(prod, digest)(record));
  const [requestLine, auditLine] = lines.map((l) => JSON.parse(l) as Record<string, { sha256: string }>);
  return { lines, record: record as unknown as Record<string, { sha256: string }>, requestLine: requestLine!, auditLine: auditLine! };
}

describe("the content digest in prod's log lines", () => {
  it("is not the unkeyed sha256 of the canonical content (the tester's repro), but HMAC-SHA256 under a key derived from the salt", () => {
    const { requestLine, auditLine } = logRequest(TEST_USER_ID_SALT, facts("d-1", "u_a"));
    expect(requestLine.input!.sha256).not.toBe(unkeyed(request));
    expect(auditLine.request!.sha256).not.toBe(unkeyed(request));
    const key = createHmac("sha256", TEST_USER_ID_SALT).update(CONTENT_DIGEST_LABEL).digest();
    expect(requestLine.input!.sha256).toBe(createHmac("sha256", key).update(canonicalJson(request)).digest("hex").slice(0, 16));
    // Not keyed with the raw salt either: that key is userIdOf's.
    expect(requestLine.input!.sha256).not.toBe(createHmac("sha256", TEST_USER_ID_SALT).update(canonicalJson(request)).digest("hex").slice(0, 16));
  });

  it("is the same for the same content: across requests and users, in both lines and the record, and on another instance with the same salt", () => {
    const a = logRequest(TEST_USER_ID_SALT, facts("d-2", "u_a"));
    const b = logRequest(TEST_USER_ID_SALT, facts("d-3", "u_b"));
    const digests = [a.requestLine.input, a.record.request, a.auditLine.request, b.requestLine.input, b.auditLine.request].map((d) => d!.sha256);
    expect(new Set(digests)).toEqual(new Set([digests[0]]));
    expect(a.requestLine.output!.sha256).toBe(b.auditLine.answer!.sha256);
    expect(a.requestLine.output!.sha256).not.toBe(a.requestLine.input!.sha256);
  });

  it("the audit line digests a record that holds text (kept under a laxer policy) with the same key as the request line", () => {
    const { requestLine } = logRequest(TEST_USER_ID_SALT, facts("d-8", "u_a"));
    const withText = { traceId: "d-8", request, answer } as unknown as AuditRecord;
    const line = createAuditLogLine(prod, digestWith(TEST_USER_ID_SALT))(withText) as Record<string, { sha256: string }>;
    expect(line.request!.sha256).toBe(requestLine.input!.sha256);
    expect(line.answer!.sha256).toBe(requestLine.output!.sha256);
  });

  it("differs under another salt (another deployment cannot link or check it)", () => {
    const a = logRequest(TEST_USER_ID_SALT, facts("d-4", "u_a"));
    const b = logRequest(OTHER_SALT, facts("d-4", "u_a"));
    expect(b.requestLine.input!.sha256).not.toBe(a.requestLine.input!.sha256);
    expect(b.auditLine.answer!.sha256).not.toBe(a.auditLine.answer!.sha256);
  });

  it("writes neither the salt nor the derived key into any log line", () => {
    const { lines } = logRequest(TEST_USER_ID_SALT, facts("d-5", "u_a"));
    const key = contentDigestKey(TEST_USER_ID_SALT);
    const text = lines.join("\n");
    for (const secret of [TEST_USER_ID_SALT, key.toString("hex"), key.toString("base64"), key.toString("base64url"), key.toString("hex").slice(0, 16)]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain("13812345678");
  });

  it("without the deployment's key: a random key of this process, stable within it, never the unkeyed hash", () => {
    const a = logRequest(undefined, facts("d-6", "u_a"));
    const b = logRequest(undefined, facts("d-7", "u_b"));
    expect(a.requestLine.input!.sha256).not.toBe(unkeyed(request));
    expect(a.requestLine.input!.sha256).toBe(b.auditLine.request!.sha256);
    expect(a.requestLine.input!.sha256).toBe(processContentDigest()(canonicalJson(request)));
    expect(a.requestLine.input!.sha256).not.toBe(digestWith(TEST_USER_ID_SALT)(canonicalJson(request)));
  });
});

describe("the process's logged digests, wired from MINIASK_USER_ID_SALT", () => {
  it("are the salt's keyed digest in every instance of a prod app (the harness sets the test salt)", async () => {
    const a = await startHarness({ env: "prod" });
    const b = await startHarness({ env: "prod" });
    try {
      const input = { text: "13812345678 was the number to call." };
      for (const h of [a, b]) expect((await h.ask({ intent: "summarize", userId: "u_digest", input })).status).toBe(200);
      const digests = [a, b].map((h) => h.logRecords().find((r) => r.msg === "request" && r.input !== undefined)?.input as { sha256?: string } | undefined);
      const expected = contentDigestOf(contentDigestKey(TEST_USER_ID_SALT))(canonicalJson({ input }));
      expect(digests.map((d) => d?.sha256)).toEqual([expected, expected]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
