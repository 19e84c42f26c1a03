import * as z from "zod/mini";
import { describe, expect, it } from "vitest";
import { CONTENT_SECURITY_OFF, type ContentSecurityPolicy, contentSecurityPolicySchema, decide } from "../lib/contentSecurity/policy";
import type { CheckOutcome } from "../lib/contentSecurity/verdict";

const timings = { tokenMs: 0, wechatMs: 12 };
const verdict = (v: "pass" | "review" | "risky"): CheckOutcome => ({ verdict: v, label: v === "pass" ? 100 : 20003, category: v === "pass" ? "normal" : "abuse", parts: 1, traceIds: [], timings });
const unavailable: CheckOutcome = { verdict: "unavailable", reason: "busy", errcode: -1, timings };
const policy = (p: Partial<ContentSecurityPolicy>) => z.parse(contentSecurityPolicySchema, p);

describe("content_security policy", () => {
  it("defaults to off, closed on failure, review allowed, spans of 200, 1.5 s per check", () => {
    expect(CONTENT_SECURITY_OFF).toEqual({ input: false, output: false, scene: 2, on_unavailable: "closed", on_review: "allow", every_chars: 200, timeout_ms: 1500 });
  });

  it("reads the issue's example", () => {
    expect(policy({ input: true, output: true, scene: 2, on_unavailable: "open", on_review: "block" })).toMatchObject({ input: true, output: true, scene: 2, on_unavailable: "open", on_review: "block" });
  });

  it.each([
    [{ scene: 5 }, "scene"],
    [{ scene: 0 }, "scene"],
    [{ on_unavailable: "maybe" }, "on_unavailable"],
    [{ on_review: "warn" }, "on_review"],
    [{ every_chars: 5 }, "every_chars"],
    [{ every_chars: 2501 }, "every_chars"],
    [{ timeout_ms: 50 }, "timeout_ms"],
    [{ input: "yes" }, "input"],
    [{ inputs: true }, ""],
  ])("refuses %j, naming the key", (value, key) => {
    const result = z.safeParse(contentSecurityPolicySchema, value);
    expect(result.success).toBe(false);
    if (!result.success && key) expect(result.error.issues[0]?.path).toEqual([key]);
  });
});

describe("decide", () => {
  it.each([
    ["pass", {}, "allow"],
    ["risky", {}, "block"],
    ["risky", { on_review: "allow" as const, on_unavailable: "open" as const }, "block"],
    ["review", { on_review: "allow" as const }, "allow"],
    ["review", { on_review: "block" as const }, "block"],
  ] as const)("%s with %j -> %s", (v, p, expected) => {
    expect(decide(verdict(v), policy(p))).toBe(expected);
  });

  it("lets an unchecked text through when open, refuses it apart from a block when closed", () => {
    expect(decide(unavailable, policy({ on_unavailable: "open" }))).toBe("allow");
    expect(decide(unavailable, policy({ on_unavailable: "closed" }))).toBe("unavailable_block");
  });
});
