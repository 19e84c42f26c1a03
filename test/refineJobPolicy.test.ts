// What a refine job keeps and how long its lock lasts: pure rules, from the environment.
import { describe, expect, it } from "vitest";
import { createRedactor } from "../lib/observability/redact";
import { redactJobWith, redactsStoredText } from "../lib/refine/redactJob";
import { REFINE_LOCK_MARGIN_MS, refineLockMs } from "../lib/refine/refineLock";
import { PII } from "./support/pii";

describe("refine job policy", () => {
  it("redacts a stored job wherever logs or audit records keep less than the full text", () => {
    expect(redactsStoredText({ logging: { content: "full" }, audit: { keep_request: "full" } } as never)).toBe(false);
    expect(redactsStoredText({ logging: { content: "redacted" }, audit: { keep_request: "full" } } as never)).toBe(true);
    expect(redactsStoredText({ logging: { content: "full" }, audit: { keep_request: "redacted" } } as never)).toBe(true);
    expect(redactsStoredText({ logging: { content: "none" }, audit: { keep_request: "none" } } as never)).toBe(true);
  });

  it("blanks the input and the context (keys too) and keeps what names the job", () => {
    const redact = redactJobWith(createRedactor([]));
    const job = { traceId: "t-1", userId: "u_1", intent: "summarize", profile: "summarize_v2", input: { text: `call ${PII.mobile}`, maxBullets: 2 }, context: { [PII.email]: PII.residentId, n: 3 } };
    const stored = redact(job);
    expect(stored).toMatchObject({ traceId: "t-1", userId: "u_1", intent: "summarize", profile: "summarize_v2", input: { maxBullets: 2 } });
    const text = JSON.stringify(stored);
    for (const raw of [PII.mobile, PII.email, PII.residentId]) expect(text).not.toContain(raw);
    expect((stored.input as { text: string }).text).toMatch(/^call \S/);
    expect(Object.values(stored.context!)).toContain(3);
  });

  it("holds the lock for the target's model budget, the output check's, and a margin", () => {
    expect(refineLockMs({ budget_ms: undefined }, { modelBudgetMs: 8000 }, false)).toBe(8000 + REFINE_LOCK_MARGIN_MS);
    expect(refineLockMs({ budget_ms: 20_000 }, { modelBudgetMs: 8000 }, false)).toBe(20_000 + REFINE_LOCK_MARGIN_MS);
    expect(refineLockMs({ budget_ms: 20_000 }, { modelBudgetMs: 8000 }, true)).toBe(28_000 + REFINE_LOCK_MARGIN_MS);
    expect(REFINE_LOCK_MARGIN_MS).toBeGreaterThan(0);
  });
});
