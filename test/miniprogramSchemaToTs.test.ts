// jsonSchemaToTs: the JSON schema keywords zod's toJSONSchema writes for the intents, as
// TypeScript; any other keyword is an error naming where it sits, never a silent `unknown`.
import { describe, expect, it } from "vitest";
import { constraintsOf, toTs } from "../scripts/miniprogramTypes/jsonSchemaToTs";

describe("toTs", () => {
  it("primitives, enums, consts, type lists and unions", () => {
    expect(toTs({ type: "string" }, "x")).toBe("string");
    expect(toTs({ type: "integer" }, "x")).toBe("number");
    expect(toTs({ type: "number" }, "x")).toBe("number");
    expect(toTs({ type: "boolean" }, "x")).toBe("boolean");
    expect(toTs({ type: "null" }, "x")).toBe("null");
    expect(toTs({ enum: ["a", "b", 3] }, "x")).toBe('"a" | "b" | 3');
    expect(toTs({ const: "only" }, "x")).toBe('"only"');
    expect(toTs({ type: ["string", "null"] }, "x")).toBe("string | null");
    expect(toTs({ anyOf: [{ type: "string" }, { type: "number" }, { type: "string" }] }, "x")).toBe("string | number");
    expect(toTs({ oneOf: [{ type: "boolean" }] }, "x")).toBe("boolean");
  });

  it("arrays: a union element in parentheses, readonly when asked", () => {
    expect(toTs({ type: "array", items: { type: "string" } }, "x")).toBe("string[]");
    expect(toTs({ type: "array", items: { anyOf: [{ type: "string" }, { type: "number" }] } }, "x")).toBe("(string | number)[]");
    expect(toTs({ type: "array", items: { type: "string" } }, "x", { readonlyArrays: true })).toBe("readonly string[]");
    // An object element holding a union is not a union itself.
    expect(toTs({ type: "array", items: { type: "object", properties: { r: { enum: ["a", "b"] } }, required: ["r"] } }, "x")).toBe('{\n  r: "a" | "b";\n}[]');
  });

  it("objects: required and optional members, constraints as doc comments, odd keys quoted, index signatures", () => {
    const ts = toTs(
      {
        type: "object",
        properties: { name: { type: "string", minLength: 1, maxLength: 5 }, "odd-key": { type: "number", default: 3 }, pattern: { type: "string", pattern: "^a*/b$" } },
        required: ["name"],
        additionalProperties: { type: "boolean" },
      },
      "x",
    );
    expect(ts).toBe('{\n  /** 1-5 characters */\n  name: string;\n  /** default 3 */\n  "odd-key"?: number;\n  /** matches /^a*\\/b$/ */\n  pattern?: string;\n  [key: string]: boolean;\n}');
    expect(toTs({ type: "object" }, "x")).toBe("{}");
  });

  it("refuses a keyword or a schema it has no form for, naming where", () => {
    expect(() => toTs({ type: "object", properties: { a: { type: "string", not: {} } } }, "summarize.input")).toThrow('summarize.input.a: the JSON schema keyword "not" has no TypeScript form here');
    expect(() => toTs({ type: "array", items: {} }, "x")).toThrow("x[]: a JSON schema with no type this generator knows");
  });
});

describe("constraintsOf", () => {
  it("reads ranges, integers, patterns and defaults", () => {
    expect(constraintsOf({ minLength: 1 })).toEqual(["at least 1 characters"]);
    expect(constraintsOf({ maxItems: 20 })).toEqual(["at most 20 items"]);
    expect(constraintsOf({ type: "integer", minimum: 1, maximum: 20, default: 5 })).toEqual(["1-20", "an integer", "default 5"]);
    expect(constraintsOf({ type: "string", pattern: "^x$" })).toEqual(["matches /^x$/"]);
    expect(constraintsOf({ type: "string" })).toEqual([]);
  });
});
