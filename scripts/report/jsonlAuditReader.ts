// Audit records from a JSONL file, for a local report: lines as Redis stores them, or the
// function's log output (CLS export or captured stdout) where the audit lines carry msg "audit",
// bare or inside SCF_Message. The request lines and any other log line are not audit records
// and are left out, not counted as unreadable.
import { readFileSync } from "node:fs";
import { AUDIT_LINE_MSG } from "../../lib/observability/auditLogLine";
import type { AuditReader } from "./readAuditRecords";

/** The audit record a line carries, as text, or undefined for another kind of line. */
export function auditValueOfLine(line: string): string | undefined {
  const text = line.trim();
  if (text === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text; // not JSON: the report counts it unreadable
  }
  if (value === null || typeof value !== "object") return text;
  const wrapped = (value as { SCF_Message?: unknown }).SCF_Message;
  if (typeof wrapped === "string") return auditValueOfLine(wrapped);
  const msg = (value as { msg?: unknown }).msg;
  return msg === undefined || msg === AUDIT_LINE_MSG ? text : undefined;
}

export function jsonlAuditReader(file: string): AuditReader {
  return {
    async readAll() {
      return readFileSync(file, "utf8")
        .split(/\r?\n/)
        .flatMap((line) => auditValueOfLine(line) ?? []);
    },
    async close() {},
  };
}
