import { describe, expect, it } from "vitest";
import { createAnswerEvents } from "../miniprogram/src/answerEvents";
import { MiniaskError } from "../miniprogram/src/errors";
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

describe("every event kind through the parser, cut at every byte", () => {
  // What the server sends (lib/streaming/answerStream.ts): a refining stream, a plain one, an error.
  const refining =
    'event: draft\ndata: {"text":"- 快速 "}\n\n' +
    'event: draft\ndata: {"text":"草稿 ✨"}\n\n' +
    'event: final\ndata: {"text":"- 精炼 "}\n\n' +
    'event: final\ndata: {"text":"答案 🚀"}\n\n' +
    'event: done\ndata: {"answer":"- 精炼 答案 🚀","draft":"- 快速 草稿 ✨","refined":true,"traceId":"t-r","intent":"summarize","profile":"summarize_v2","model":"m","usage":{"promptTokens":1,"completionTokens":2,"totalTokens":3},"cached":false}\n\n';
  const plain = 'event: delta\ndata: {"text":"- 一"}\n\nevent: delta\ndata: {"text":"二 é"}\n\nevent: done\ndata: {"answer":"- 一二 é","traceId":"t-p"}\n\n';
  const failing = 'event: delta\ndata: {"text":"半"}\n\nevent: error\ndata: {"error":{"code":"blocked_output","message":"withheld"},"traceId":"t-e"}\n\n';

  function run(message: string, cut: number) {
    const seen: string[] = [];
    const events = createAnswerEvents<{ answer: string }>({ onText: (t, phase) => seen.push(`${phase}:${t}`) }, "t-client");
    const parser = createSseParser((e) => events.accept(e));
    const bytes = new TextEncoder().encode(message);
    parser.push(bytes.slice(0, cut));
    parser.push(bytes.slice(cut));
    parser.end();
    return { seen, outcome: events.outcome() };
  }

  it("draft, final, done: the text so far per phase, final replacing draft, then the answer", () => {
    const bytes = new TextEncoder().encode(refining).length;
    for (let cut = 0; cut <= bytes; cut++) {
      const { seen, outcome } = run(refining, cut);
      expect(seen, `cut at ${cut}`).toEqual(["draft:- 快速 ", "draft:- 快速 草稿 ✨", "final:- 精炼 ", "final:- 精炼 答案 🚀"]);
      expect(outcome?.result, `cut at ${cut}`).toMatchObject({ answer: "- 精炼 答案 🚀", draft: "- 快速 草稿 ✨", refined: true });
    }
  });

  it("delta, done", () => {
    for (let cut = 0; cut <= new TextEncoder().encode(plain).length; cut++) {
      const { seen, outcome } = run(plain, cut);
      expect(seen).toEqual(["answer:- 一", "answer:- 一二 é"]);
      expect(outcome?.result).toMatchObject({ answer: "- 一二 é", traceId: "t-p" });
    }
  });

  it("error: a MiniaskError with the server's code and traceId, status 200 (it came in the stream)", () => {
    for (let cut = 0; cut <= new TextEncoder().encode(failing).length; cut++) {
      const { seen, outcome } = run(failing, cut);
      expect(seen).toEqual(["answer:半"]);
      expect(outcome?.error).toBeInstanceOf(MiniaskError);
      expect(outcome?.error).toMatchObject({ code: "blocked_output", detail: "withheld", traceId: "t-e", status: 200 });
    }
  });

  it("a done without an answer, or data that is not JSON, is bad_reply", () => {
    const events = createAnswerEvents({}, "t-bad");
    expect(() => events.accept({ event: "done", data: '{"traceId":"t"}' })).toThrow(expect.objectContaining({ code: "bad_reply", traceId: "t-bad" }));
    expect(() => events.accept({ event: "delta", data: "not json" })).toThrow(expect.objectContaining({ code: "bad_reply" }));
  });

  it("events after done, and event kinds it does not know, change nothing", () => {
    const seen: string[] = [];
    const events = createAnswerEvents({ onText: (t) => seen.push(t) }, "t");
    events.accept({ event: "progress", data: '{"step":1}' });
    events.accept({ event: "done", data: '{"answer":"a","traceId":"t"}' });
    events.accept({ event: "delta", data: '{"text":"late"}' });
    expect(seen).toEqual([]);
    expect(events.outcome()?.result).toMatchObject({ answer: "a" });
  });
});
