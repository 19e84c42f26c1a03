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

// Pieces of one or two code units are memoised inside the module, so a check of how a piece is
// normalised uses pieces of three or more units (a base and two marks): those are computed
// afresh every time.
describe("normalizeForMatching: pieces computed afresh", () => {
  it("a digit of another script with marks is its ASCII digit, marks dropped", () => {
    expect(normalizeForMatching("٣\u0336\u0336").text).toBe("3");
    expect(normalizeForMatching("९\u0336\u0336").text).toBe("9");
  });

  it("an ASCII digit with marks loses them, 9 included", () => {
    expect(normalizeForMatching("9\u0336\u0336").text).toBe("9");
    expect(normalizeForMatching("0\u0336\u0336").text).toBe("0");
  });

  it("anything else keeps its marks: a letter, or punctuation that sorts before the digits", () => {
    expect(normalizeForMatching("x\u0336\u0336").text).toBe("x\u0336\u0336");
    expect(normalizeForMatching("(\u0336\u0336").text).toBe("(\u0336\u0336");
  });
});

describe("normalizeForMatching: pieces and the way back", () => {
  it("marks at the very start are kept, as one piece, and the rest follows", () => {
    const n = normalizeForMatching("\u0301\u0302１２");
    expect(n.text).toBe("\u0301\u030212");
    // Both marks came from one piece: a range over the first covers both.
    expect(n.toOriginal(0, 1)).toEqual([0, 2]);
    expect(n.toOriginal(2, 4)).toEqual([2, 4]);
  });

  it("an ASCII run inside other text maps back one to one", () => {
    const n = normalizeForMatching("１abc");
    expect(n.text).toBe("1abc");
    expect(n.toOriginal(2, 3)).toEqual([2, 3]);
    expect(n.toOriginal(1, 4)).toEqual([1, 4]);
    expect(normalizeForMatching("ab１").toOriginal(1, 2)).toEqual([1, 2]);
  });

  it("a range ending inside an expansion is widened to the whole character, and no further", () => {
    const n = normalizeForMatching("x⑩y");
    expect(n.toOriginal(1, 2)).toEqual([1, 2]);
    expect(n.toOriginal(0, 1)).toEqual([0, 1]);
    expect(n.toOriginal(3, 4)).toEqual([2, 3]);
  });

  it("a range past the end maps to the end of the original", () => {
    const n = normalizeForMatching("x⑩");
    expect(n.toOriginal(1, 3)).toEqual([1, 2]);
    expect(n.toOriginal(3, 3)).toEqual([2, 2]);
  });
});

describe("normalizeForMatching: digits of every script", () => {
  // Every decimal digit Unicode knows that NFKC leaves alone, with the code point of its run's first digit.
  const digits: { char: string; runStart: number; runLength: number }[] = [];
  for (let cp = 0x80, runStart = 0; cp < 0x110000; cp++) {
    const char = String.fromCodePoint(cp);
    if (!/\p{Nd}/u.test(char)) continue;
    if (!/\p{Nd}/u.test(String.fromCodePoint(cp - 1))) runStart = cp;
    if (char.normalize("NFKC") === char) digits.push({ char, runStart, runLength: 0 });
  }
  for (const d of digits) d.runLength = digits.filter((o) => o.runStart === d.runStart).length;

  it("each one becomes exactly one ASCII digit", () => {
    expect(digits.length).toBeGreaterThan(500);
    // Marks around it keep the piece out of the module's memo, so it is computed here.
    const wrong = digits.filter((d) => !/^\d$/.test(normalizeForMatching(`${d.char}\u0336\u0336`).text));
    expect(wrong.map((d) => d.char.codePointAt(0)?.toString(16))).toEqual([]);
  });

  it("a digit reads as its place in its run of ten, runs side by side included", () => {
    // Two scripts' digits side by side (U+116D0..U+116E3 since Unicode 16) make a stretch of
    // twenty: the second run's digits are still 0..9.
    const wrong = digits.filter((d) => normalizeForMatching(`${d.char}\u0336\u0336`).text !== String(((d.char.codePointAt(0) ?? 0) - d.runStart) % 10));
    expect(wrong.map((d) => d.char.codePointAt(0)?.toString(16))).toEqual([]);
    expect(normalizeForMatching("\u{116DA}\u{116E3}\u0336").text).toBe("09");
  });
});
