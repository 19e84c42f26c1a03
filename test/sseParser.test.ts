import { describe, expect, it } from "vitest";
import { type SseEvent, createSseParser, createUtf8Decoder } from "../miniprogram/src/sseParser";

const MESSAGE =
  'event: delta\ndata: {"text":"小程序 ✨ 摘要"}\n\n' +
  ": keep-alive comment\n\n" +
  'event: delta\ndata: {"text":"emoji 🚀🇨🇳 and é"}\n\n' +
  'event: done\ndata: {"answer":"- 第一点\\n- 🚀","traceId":"t-1"}\n\n';

const EXPECTED: SseEvent[] = [
  { event: "delta", data: '{"text":"小程序 ✨ 摘要"}' },
  { event: "delta", data: '{"text":"emoji 🚀🇨🇳 and é"}' },
  { event: "done", data: '{"answer":"- 第一点\\n- 🚀","traceId":"t-1"}' },
];

function parseInPieces(bytes: Uint8Array, cuts: number[]): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createSseParser((e) => events.push(e));
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    parser.push(bytes.slice(from, cut).buffer);
    from = cut;
  }
  parser.end();
  return events;
}

describe("client SSE parser", () => {
  const bytes = new TextEncoder().encode(MESSAGE);

  it("parses the message in one chunk", () => {
    expect(parseInPieces(bytes, [])).toEqual(EXPECTED);
  });

  it("parses it split in two at every byte position (inside events, lines and UTF-8 characters)", () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(parseInPieces(bytes, [cut]), `cut at byte ${cut}`).toEqual(EXPECTED);
    }
  });

  it("parses it one byte at a time", () => {
    expect(parseInPieces(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1))).toEqual(EXPECTED);
  });

  it("accepts CRLF line ends and multi-line data", () => {
    expect(parseInPieces(new TextEncoder().encode("event: x\r\ndata: a\r\ndata: b\r\n\r\n"), [9])).toEqual([{ event: "x", data: "a\nb" }]);
  });

  it("decodes like TextDecoder, malformed bytes included", () => {
    const samples = [
      new TextEncoder().encode("héllo 世界 👋🏽"),
      new Uint8Array([0x61, 0xff, 0x62, 0xe4, 0xb8, 0x63, 0xc0, 0x80]),
      new Uint8Array([0xe0, 0x80, 0x80, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xf0, 0x9f, 0x98]),
    ];
    for (const sample of samples) {
      for (let cut = 0; cut <= sample.length; cut++) {
        const decoder = createUtf8Decoder();
        const text = decoder.decode(sample.slice(0, cut)) + decoder.decode(sample.slice(cut), true);
        expect(text, `cut at ${cut}`).toBe(new TextDecoder().decode(sample));
      }
    }
  });
});
