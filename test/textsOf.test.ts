import { describe, expect, it } from "vitest";
import { textsOf } from "../lib/contentSecurity/textsOf";

describe("textsOf: what WeChat's input check reads", () => {
  it("takes every string of input and context, keys included, one per line", () => {
    const risky = "特3456书yuuo莞6543李zxcz蒜7782法fgnv级";
    expect(textsOf({ text: "hello" }, { [risky]: "fine", plain: 3 }).split("\n")).toEqual(["text", "hello", risky, "fine", "plain"]);
  });
  it("walks arrays and nested objects, skipping numbers, booleans and null", () => {
    expect(textsOf({ fields: ["name", "phone"], deep: { k: { j: "v" } }, n: null, b: true }, undefined)).toBe("fields\nname\nphone\ndeep\nk\nj\nv\nn\nb");
  });
  it("is empty for nothing to check", () => {
    expect(textsOf(undefined, null, 4)).toBe("");
  });
});
