import { describe, expect, it } from "vitest";
import { splitForCheck } from "../lib/contentSecurity/splitForCheck";
import { lastCharBoundary, lastSentenceEnd } from "../lib/contentSecurity/sentences";

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** What must hold for every split: lossless, within the limit, no half characters. */
function expectSound(text: string, parts: string[], max: number) {
  expect(parts.join("")).toBe(text);
  for (const part of parts) {
    expect(part.length).toBeGreaterThan(0);
    expect(part.length).toBeLessThanOrEqual(max);
    expect(isHigh(part.charCodeAt(part.length - 1))).toBe(false);
    expect(isLow(part.charCodeAt(0))).toBe(false);
    // No lone surrogate anywhere: the part survives a UTF-8 round trip unchanged.
    expect(new TextDecoder().decode(new TextEncoder().encode(part))).toBe(part);
  }
}

describe("splitForCheck", () => {
  it("keeps a text of at most 2,500 characters whole, and an empty one empty", () => {
    const text = "字".repeat(2500);
    expect(splitForCheck(text)).toEqual([text]);
    expect(splitForCheck("")).toEqual([]);
  });

  it("cuts a long text after the last sentence end that fits", () => {
    const sentence = `${"很".repeat(99)}。`; // 100 characters
    const text = sentence.repeat(30); // 3,000
    const parts = splitForCheck(text);
    expect(parts.map((p) => p.length)).toEqual([2500, 500]);
    expect(parts[0]?.endsWith("。")).toBe(true);
    expectSound(text, parts, 2500);
  });

  it.each(["。", "！", "？", "\n", ". ", "! ", "? "])("treats %j as a sentence end", (end) => {
    const text = `${"a".repeat(5)}${end}${"b".repeat(10)}`;
    const parts = splitForCheck(text, 10);
    expect(parts[0]).toBe(`${"a".repeat(5)}${end.trim() === "" ? end : end[0]}`);
    expectSound(text, parts, 10);
  });

  it("does not cut inside 3.14 or e.g.: an ASCII stop ends a sentence only before whitespace", () => {
    expect(lastSentenceEnd("pi is 3.14 and e.g.x", 20, true)).toBe(-1);
    expect(splitForCheck("Pi is 3.14159 ok", 10)).toEqual(["Pi is 3.14", "159 ok"]);
  });

  it("keeps closing quotes with the sentence they close", () => {
    const text = `他说：“好。”${"后".repeat(20)}`;
    expect(splitForCheck(text, 12)[0]).toBe("他说：“好。”");
  });

  it("hard-splits a run-on text with no sentence end at the limit", () => {
    const text = "无标点".repeat(2000); // 6,000
    const parts = splitForCheck(text);
    expect(parts.map((p) => p.length)).toEqual([2500, 2500, 1000]);
    expectSound(text, parts, 2500);
  });

  it("never cuts a surrogate pair in half", () => {
    // 😀 is two UTF-16 units; an odd limit would land between them.
    const text = "😀".repeat(3000);
    const parts = splitForCheck(text, 2499);
    expectSound(text, parts, 2499);
    expect(parts[0]?.length).toBe(2498);
  });

  it("never cuts a grapheme: ZWJ families, flags, combining marks", () => {
    for (const unit of ["👨‍👩‍👧‍👦", "🇨🇳", "é", "a"]) {
      const text = `x${unit.repeat(400)}`;
      // Limits that can hold one of them (a longer grapheme than the limit falls back to code points).
      for (const max of [7, 10, 11, 13, 23, 2500].filter((m) => m > unit.length)) {
        const parts = splitForCheck(text, max);
        expectSound(text, parts, max);
        for (const part of parts.slice(1)) expect(part.startsWith(unit) || part.startsWith("x")).toBe(true);
      }
    }
  });

  it("holds on random mixed text with every limit", () => {
    const alphabet = ["字", "a", " ", "。", "!", ".", "😀", "\n", "🇨🇳", "”"];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 60; round++) {
      const text = Array.from({ length: 50 + Math.floor(rand() * 400) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
      const max = 4 + Math.floor(rand() * 60);
      expectSound(text, splitForCheck(text, max), max);
    }
  });

  it("refuses a limit that cannot hold a character", () => {
    expect(() => splitForCheck("abc", 1)).toThrow(RangeError);
  });
});

describe("lastCharBoundary", () => {
  it("backs off to the start of the character that straddles the limit", () => {
    expect(lastCharBoundary("ab😀cd", 3)).toBe(2);
    expect(lastCharBoundary("ab😀cd", 4)).toBe(4);
    expect(lastCharBoundary("abc", 10)).toBe(3);
  });
});
