// JSON string escapes decoded for the output checks, whole and as a stream cut anywhere.
import { describe, expect, it } from "vitest";
import { createEscapeDecoder, decodeJsonEscapes } from "../lib/text/jsonEscapes";

const SAMPLE = String.raw`{"a": "\u8eab\u4efd\u8bc1 \"q\" \\u0041 \/ \n\t\r\b\f \ud83d\ude80 \x \u12 end\"}`;

describe("decodeJsonEscapes", () => {
  it("decodes what JSON.parse decodes inside a string", () => {
    const text = String.raw`\u8eab\u4efd\u8bc1 \"q\" \\u0041 \/ \n\t\r\b\f \ud83d\ude80`;
    expect(decodeJsonEscapes(text)).toBe(JSON.parse(`"${text}"`));
  });

  it("leaves a backslash that starts no escape, and text without one, as it is", () => {
    expect(decodeJsonEscapes(String.raw`C:\x \u12 \u12G4 \q`)).toBe(String.raw`C:\x \u12 \u12G4 \q`);
    expect(decodeJsonEscapes("plain 文本")).toBe("plain 文本");
    expect(decodeJsonEscapes("ends with \\")).toBe("ends with \\");
  });
});

describe("createEscapeDecoder", () => {
  const streamed = (pieces: string[]) => {
    const decoder = createEscapeDecoder();
    const out = pieces.map((p) => decoder.push(p));
    out.push(decoder.flush());
    return out;
  };

  it("cut at every position: the same decoded text, and the raw text back exactly", () => {
    for (let cut = 0; cut <= SAMPLE.length; cut++) {
      for (let second = cut; second <= SAMPLE.length; second += 7) {
        const out = streamed([SAMPLE.slice(0, cut), SAMPLE.slice(cut, second), SAMPLE.slice(second)]);
        expect(out.map((o) => o.text).join(""), `cut ${cut}/${second}`).toBe(decodeJsonEscapes(SAMPLE));
        expect(out.map((o) => o.raw).join(""), `cut ${cut}/${second}`).toBe(SAMPLE);
      }
    }
  });

  it("holds an escape cut by the end of a piece until it completes", () => {
    const decoder = createEscapeDecoder();
    expect(decoder.push("ab\\u8e")).toEqual({ text: "ab", raw: "ab", escapes: [] });
    expect(decoder.push("ab!")).toEqual({ text: "身!", raw: "\\u8eab!", escapes: [{ at: 0, extra: 5 }] });
    expect(decoder.push("x\\")).toEqual({ text: "x", raw: "x", escapes: [] });
    expect(decoder.push("n")).toEqual({ text: "\n", raw: "\\n", escapes: [{ at: 0, extra: 1 }] });
  });

  it("reports where each escape sits in the decoded text and how much longer it was", () => {
    expect(createEscapeDecoder().push(String.raw`a\u8eabb\nc`)).toEqual({ text: "a身b\nc", raw: String.raw`a\u8eabb\nc`, escapes: [{ at: 1, extra: 5 }, { at: 3, extra: 1 }] });
  });

  it("passes a piece without a backslash straight through, with no escapes", () => {
    expect(createEscapeDecoder().push("plain 文本")).toEqual({ text: "plain 文本", raw: "plain 文本", escapes: [] });
  });

  it("takes only \\u for a hex escape, and does not hold a \\u whose digits already stopped being hex", () => {
    expect(decodeJsonEscapes(String.raw`\x4e2d \a0041`)).toBe(String.raw`\x4e2d \a0041`);
    const decoder = createEscapeDecoder();
    expect(decoder.push(String.raw`a\u1G`)).toEqual({ text: String.raw`a\u1G`, raw: String.raw`a\u1G`, escapes: [] });
    expect(decoder.push(String.raw`b\xab`)).toEqual({ text: String.raw`b\xab`, raw: String.raw`b\xab`, escapes: [] });
    expect(decoder.flush()).toEqual({ text: "", raw: "", escapes: [] });
  });

  it("gives out an escape that never completed as written at the end", () => {
    const decoder = createEscapeDecoder();
    expect(decoder.push("tail \\u00").text).toBe("tail ");
    expect(decoder.flush()).toEqual({ text: "\\u00", raw: "\\u00", escapes: [] });
    expect(decoder.flush()).toEqual({ text: "", raw: "", escapes: [] });
  });
});
