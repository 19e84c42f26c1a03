import { describe, expect, it } from "vitest";
import { pickRecord } from "../lib/replay/pickRecord";
import type { AuditRecord } from "../lib/observability/auditRecord";

const rec = (user: string, time: string): AuditRecord => ({ traceId: "t", time, env: "staging", user, outcome: "ok", status: 200 });
const want = { traceId: "t", prefix: "p:" };

describe("pickRecord", () => {
  it("returns the only record", () => {
    expect(pickRecord([rec("a", "2026-01-01T00:00:00Z")], want)).toEqual(rec("a", "2026-01-01T00:00:00Z"));
  });
  it("says there is none, naming what was asked", () => {
    expect(() => pickRecord([], want)).toThrow('no audit record for traceId t under "p:" (expired, another environment, or another prefix?)');
    expect(() => pickRecord([rec("a", "1")], { ...want, user: "b", at: "2" })).toThrow("no audit record for traceId t and user b at 2 under");
  });
  it("asks for --user when several users sent the traceId", () => {
    expect(() => pickRecord([rec("a", "1"), rec("b", "2"), rec("a", "3")], want)).toThrow("2 users sent traceId t: pick one with --user (a, b)");
  });
  it("asks for --at, oldest first, when one user sent it several times; --user and --at narrow", () => {
    const records = [rec("a", "2026-01-01T00:00:02Z"), rec("a", "2026-01-01T00:00:01Z"), rec("b", "2026-01-01T00:00:03Z")];
    expect(() => pickRecord(records, { ...want, user: "a" })).toThrow("2 requests sent traceId t and user a: pick one with --at (2026-01-01T00:00:01Z, 2026-01-01T00:00:02Z)");
    expect(pickRecord(records, { ...want, user: "a", at: "2026-01-01T00:00:02Z" })).toBe(records[0]);
    expect(pickRecord(records, { ...want, at: "2026-01-01T00:00:03Z" })).toBe(records[2]);
  });
});
