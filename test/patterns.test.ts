// Patterns from config: refused at start when they could backtrack without bound, compiled
// once, run case-insensitively on normalised text, every match hidden.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../lib/config/configError";
import { createRedactor } from "../lib/observability/redact";
import { MAX_BRANCHING, MAX_MATCH_LENGTH, unsafePatternReason } from "../lib/text/patternSafety";

describe("pattern safety check", () => {
  it.each(["\\bSO\\d{12}\\b", "(?:\\+86)?1[3-9]\\d{9}", "(?:-\\d{4}){2}", "[A-Z]{2}\\d{6,10}", "a|b|c", "(?<tag>x)y", "(?<=a)b", "a{3}?", "x{", "[)(*+]{2}"])("accepts %s", (pattern) => {
    expect(unsafePatternReason(pattern)).toBeUndefined();
  });

  it.each([
    ["\\w+@", /unbounded/],
    ["a*", /unbounded/],
    ["\\d{2,}", /unbounded/],
    ["(a{1,3}){2}", /repeated group/],
    ["(?:a|b){2}", /repeated group/],
    ["(?:[ -]?\\d){15}", /repeated group/],
    ["(a)\\1", /backreference/],
    ["(?<n>a)\\k<n>", /backreference/],
    [`a{${MAX_MATCH_LENGTH + 1}}`, /longest match/],
    ["(?:ab){300}(?:cd){300}", /longest match/],
    ["a{0,40}b{0,40}", /ways/],
    ["(a", /unbalanced/],
    ["a)", /unbalanced/],
  ])("refuses %s", (pattern, reason) => {
    expect(unsafePatternReason(pattern)).toMatch(reason);
  });

  it("counts each variable repeat and alternative into the ways to try a position", () => {
    expect(unsafePatternReason("a{0,31}b{0,31}")).toBeUndefined(); // 32 * 32 = MAX_BRANCHING
    expect(MAX_BRANCHING).toBe(1024);
    expect(unsafePatternReason("a{0,31}b{0,32}")).toMatch(/1056 ways/);
  });

  it("createRedactor refuses an unsafe custom pattern with a ConfigError naming it", () => {
    expect(() => createRedactor([{ name: "bad", pattern: "(a+)+$" }])).toThrow(ConfigError);
    expect(() => createRedactor([{ name: "bad", pattern: "(a+)+$" }])).toThrow(/redact_patterns "bad"/);
  });
});

describe("custom patterns", () => {
  const redact = createRedactor([
    { name: "order_no", pattern: "\\bSO\\d{12}\\b" },
    { name: "coupon", pattern: "CP-[A-Z]{4}" },
  ]);

  it("hide every match, not only the first (the g flag)", () => {
    expect(redact("SO202611240001, SO202611240002 and SO202611240003")).toBe("[order_no], [order_no] and [order_no]");
  });

  it("match case-insensitively: lower-case order numbers are order numbers", () => {
    expect(redact("order so202611240001 / So202611240002")).toBe("order [order_no] / [order_no]");
  });

  it("match full-width and separated forms, normalised first", () => {
    expect(redact("单号ＳＯ２０２６１１２４０００１。")).toBe("单号[order_no]。");
    expect(redact("order SO2026-1124-0001 ok")).toBe("order [order_no] ok");
    expect(redact("order SO2026\u200b11240001 ok")).toBe("order [order_no] ok");
  });

  it("keep their boundaries", () => {
    expect(redact("SO2026112400011 and XSO202611240001")).toBe("SO2026112400011 and XSO202611240001");
    expect(redact("cp-abcd and CP-ABC")).toBe("[coupon] and CP-ABC");
  });

  it("never hide an empty match", () => {
    expect(createRedactor([{ name: "maybe", pattern: "x?" }])("abc")).toBe("abc");
  });
});
