// The one depth and size limit for JSON from outside, checked before JSON.parse sees the text.
import { describe, expect, it } from "vitest";
import { JsonLimitError, MAX_JSON_DEPTH, jsonDepth, parseJsonWithin } from "../lib/request/jsonLimits";

const nested = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

describe("jsonDepth", () => {
  it("counts the deepest nesting of objects and arrays, not their number", () => {
    expect(jsonDepth("1")).toBe(0);
    expect(jsonDepth("[]")).toBe(1);
    expect(jsonDepth("{}")).toBe(1);
    expect(jsonDepth("[][][]")).toBe(1);
    expect(jsonDepth("{}{}{}")).toBe(1);
    expect(jsonDepth('{"a":[1,{"b":[]}],"c":{}}')).toBe(4);
  });

  it("closes objects and arrays alike: siblings after a closed one are not deeper", () => {
    expect(jsonDepth('[{"a":1},{"b":2},{"c":3}]')).toBe(2);
    expect(jsonDepth("[[1],[2],[3]]")).toBe(2);
  });

  it("does not count brackets inside strings", () => {
    expect(jsonDepth('["[[[{{{"]')).toBe(1);
    expect(jsonDepth('{"}}}]]]":[1]}')).toBe(2);
    expect(jsonDepth('["x", [1]]')).toBe(2);
  });

  it("an escaped quote does not end a string, an escaped backslash does not escape the quote", () => {
    expect(jsonDepth('["a\\"[[["]')).toBe(1);
    expect(jsonDepth('["a\\\\", [1]]')).toBe(2);
  });

  it("stops once past the maximum, reporting one more than it", () => {
    expect(jsonDepth(nested(10), 3)).toBe(4);
    expect(jsonDepth(nested(3), 3)).toBe(3);
    expect(jsonDepth(nested(3), 2)).toBe(3);
  });
});

describe("parseJsonWithin", () => {
  it("parses JSON within the limits", () => {
    expect(parseJsonWithin('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(parseJsonWithin(nested(MAX_JSON_DEPTH))).toBeInstanceOf(Array);
    expect(parseJsonWithin("[[1]]", { maxDepth: 2, maxChars: 5 })).toEqual([[1]]);
  });

  it("refuses deeper than the default of 32 levels with a depth error", () => {
    expect(MAX_JSON_DEPTH).toBe(32);
    const err = catchOf(() => parseJsonWithin(nested(MAX_JSON_DEPTH + 1)));
    expect(err).toBeInstanceOf(JsonLimitError);
    expect(err).toMatchObject({ name: "JsonLimitError", limit: "depth", message: "nested deeper than 32 levels" });
  });

  it("refuses 10,000 levels without a stack overflow", () => {
    expect(catchOf(() => parseJsonWithin(nested(10_000)))).toMatchObject({ limit: "depth" });
  });

  it("takes a tighter depth from the caller", () => {
    expect(catchOf(() => parseJsonWithin("[[[1]]]", { maxDepth: 2 }))).toMatchObject({ limit: "depth", message: "nested deeper than 2 levels" });
  });

  it("refuses more characters than allowed with a size error, before counting depth", () => {
    const err = catchOf(() => parseJsonWithin(nested(100), { maxChars: 199 }));
    expect(err).toBeInstanceOf(JsonLimitError);
    expect(err).toMatchObject({ name: "JsonLimitError", limit: "size", message: "over 199 characters" });
    expect(parseJsonWithin('"abc"', { maxChars: 5 })).toBe("abc");
  });

  it("lets JSON.parse say what is not JSON", () => {
    expect(catchOf(() => parseJsonWithin("{nope"))).toBeInstanceOf(SyntaxError);
  });
});

function catchOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}
