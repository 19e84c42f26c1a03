// The two normal forms the rules read: one that maps back to the original (redaction), one
// that only compares (safety filters).
import { describe, expect, it } from "vitest";
import { foldForFilter } from "../lib/text/fold";
import { normalizeForMatching } from "../lib/text/normalize";

describe("normalizeForMatching", () => {
  it("full-width forms become ASCII: digits, ＋, ＠, ideographic space", () => {
    expect(normalizeForMatching("＋８６\u3000１３８＠ｘ").text).toBe("+86 138@x");
  });

  it("drops default-ignorable characters: zero-width, joiners, word joiner, BOM, soft hyphen", () => {
    expect(normalizeForMatching("1\u200b2\u200c3\u200d4\u20605\ufeff6\u00ad7").text).toBe("1234567");
  });

  it("digits of other scripts and digits dressed in marks are ASCII digits", () => {
    expect(normalizeForMatching("١٣٨ ۱۳۸ १३८").text).toBe("138 138 138");
    expect(normalizeForMatching("1\ufe0f\u20e32\u03363").text).toBe("123");
  });

  it("leaves ASCII text as it is, and maps it back one to one", () => {
    const n = normalizeForMatching("plain text 123");
    expect(n.text).toBe("plain text 123");
    expect(n.toOriginal(6, 10)).toEqual([6, 10]);
  });

  it("maps a range back over every original character behind it", () => {
    const original = "a １\u200b２ b";
    const n = normalizeForMatching(original);
    expect(n.text).toBe("a 12 b");
    const [start, end] = n.toOriginal(2, 4);
    expect(original.slice(start, end)).toBe("１\u200b２");
  });

  it("an expanded character is covered whole, from any unit of its expansion", () => {
    const n = normalizeForMatching("x⑩y");
    expect(n.text).toBe("x10y");
    expect(n.toOriginal(2, 3)).toEqual([1, 2]);
  });

  it("composes a base with its combining marks", () => {
    expect(normalizeForMatching("e\u0301").text).toBe("é");
  });
});

describe("foldForFilter", () => {
  it("lower case, no width, no spaces, no punctuation, no invisible characters", () => {
    expect(foldForFilter("Ｉｇ-no\u00adre  ALL, previous!")).toBe("ignoreallprevious");
  });

  it("traditional characters of the shipped terms read as simplified", () => {
    expect(foldForFilter("身份證號碼大全 銀行卡 代開發票")).toBe("身份证号码大全银行卡代开发票");
  });

  it("Cyrillic and Greek look-alikes read as Latin", () => {
    expect(foldForFilter("іgnоrе")).toBe("ignore");
    expect(foldForFilter("ρrevious")).toBe("previous");
  });
});
