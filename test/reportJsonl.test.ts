// The report's JSONL reader: which lines of a log or export are audit records.
import { describe, expect, it } from "vitest";
import { auditValueOfLine } from "../scripts/report/jsonlAuditReader";

describe("auditValueOfLine", () => {
  const audit = JSON.stringify({ msg: "audit", auditVersion: 1, traceId: "t1", time: "2026-11-24T01:00:00.000Z", outcome: "ok", status: 200 });
  const stored = JSON.stringify({ traceId: "t2", time: "2026-11-24T01:00:00.000Z", outcome: "ok", status: 200 });

  it("keeps audit lines, bare or inside SCF_Message, and records as Redis stores them", () => {
    expect(auditValueOfLine(audit)).toBe(audit);
    expect(auditValueOfLine(JSON.stringify({ SCF_Message: audit, SCF_RequestId: "r" }))).toBe(audit);
    expect(auditValueOfLine(`  ${stored}  `)).toBe(stored);
  });

  it("skips the function's other lines and blank ones; passes what is not a JSON object on, to be counted unreadable", () => {
    expect(auditValueOfLine(JSON.stringify({ msg: "request", traceId: "t1", status: 200 }))).toBeUndefined();
    expect(auditValueOfLine(JSON.stringify({ SCF_Message: JSON.stringify({ msg: "listening", port: 9000 }) }))).toBeUndefined();
    expect(auditValueOfLine("   ")).toBeUndefined();
    expect(auditValueOfLine("START RequestId: abc")).toBe("START RequestId: abc");
    expect(auditValueOfLine("42")).toBe("42");
  });
});
