// The extract intent shapes exactly the asked fields, whatever they are called.
import { describe, expect, it } from "vitest";
import { extract } from "../lib/intents/extract";

describe("extract", () => {
  it("keeps fields named like Object's own members as plain fields", () => {
    const fields = ["__proto__", "constructor", "toString", "valueOf", "hasOwnProperty", "city"];
    const call = extract.prepare({ text: "whatever", fields }, undefined);
    const answer = call.shapeAnswer('{"__proto__":"p","constructor":"c","toString":"t","city":"Chengdu"}') as Record<string, unknown>;
    expect(Object.keys(answer)).toEqual(fields);
    expect(JSON.stringify(answer)).toBe('{"__proto__":"p","constructor":"c","toString":"t","valueOf":null,"hasOwnProperty":null,"city":"Chengdu"}');
    // Nothing leaked onto a prototype.
    expect(Object.getPrototypeOf(answer)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).city).toBeUndefined();
  });

  it("answers null for a field the reply lacks, not something inherited", () => {
    const call = extract.prepare({ text: "whatever", fields: ["constructor", "toString"] }, undefined);
    expect(JSON.stringify(call.shapeAnswer("{}"))).toBe('{"constructor":null,"toString":null}');
  });
});
