// The Node-side SSE reader under lib/openaiWire, and the Retry-After reading its errors carry.
import { describe, expect, it } from "vitest";
import { type SseEvent, createSseEventParser } from "../lib/openaiWire/sseEvents";
import { retryAfterMsOf } from "../lib/openaiWire/wireError";

const STREAM =
  'data: {"choices":[{"delta":{"content":"小程序 ✨"}}]}\n\n' +
  ": keep-alive comment\n\n" +
  'data: {"choices":[{"delta":{"content":"two"}}]}\r\n\r\n' +
  "event: error\ndata: first line\ndata: second line\n\n" +
  "data:no-space\n\n" +
  "data: [DONE]\n\n";

const EXPECTED: SseEvent[] = [
  { event: "message", data: '{"choices":[{"delta":{"content":"小程序 ✨"}}]}' },
  { event: "message", data: '{"choices":[{"delta":{"content":"two"}}]}' },
  { event: "error", data: "first line\nsecond line" },
  { event: "message", data: "no-space" },
  { event: "message", data: "[DONE]" },
];

describe("createSseEventParser", () => {
  it("reads events, comments, CRLF lines, event names and multi-line data", () => {
    expect(createSseEventParser().push(STREAM)).toEqual(EXPECTED);
  });

  it("gives the same events however the text is cut", () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const parser = createSseEventParser();
      expect([...parser.push(STREAM.slice(0, cut)), ...parser.push(STREAM.slice(cut))]).toEqual(EXPECTED);
    }
  });

  it("gives the same events fed one character at a time", () => {
    const parser = createSseEventParser();
    expect([...STREAM].flatMap((c) => parser.push(c))).toEqual(EXPECTED);
  });

  it("counts what it holds for an unfinished event, and forgets it once the event is out", () => {
    const parser = createSseEventParser();
    expect(parser.push("data: 12345\ndata: 678")).toEqual([]);
    expect(parser.pending()).toBe(5 + "data: 678".length);
    expect(parser.push("\n\n")).toEqual([{ event: "message", data: "12345\n678" }]);
    expect(parser.pending()).toBe(0);
  });

  it("ignores a blank line with no data before it and fields it does not know", () => {
    expect(createSseEventParser().push("\n\nid: 7\nretry: 10\n\n")).toEqual([]);
  });
});

describe("retryAfterMsOf", () => {
  const now = Date.parse("2026-11-02T10:00:00Z");

  it("reads retry-after-ms first, as the openai SDK does", () => {
    expect(retryAfterMsOf({ "retry-after-ms": "1500", "retry-after": "9" }, now)).toBe(1500);
    expect(retryAfterMsOf({ "retry-after-ms": "12.5" }, now)).toBe(12.5);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(retryAfterMsOf({ "retry-after": "2" }, now)).toBe(2000);
    expect(retryAfterMsOf({ "retry-after": "0.5" }, now)).toBe(500);
    expect(retryAfterMsOf({ "retry-after": "Mon, 02 Nov 2026 10:00:30 GMT" }, now)).toBe(30_000);
    expect(retryAfterMsOf({ "retry-after": "Mon, 02 Nov 2026 09:00:00 GMT" }, now)).toBe(0);
  });

  it("is undefined when absent or unreadable", () => {
    expect(retryAfterMsOf({}, now)).toBeUndefined();
    expect(retryAfterMsOf({ "retry-after": "soon" }, now)).toBeUndefined();
    expect(retryAfterMsOf({ "retry-after-ms": "-5" }, now)).toBeUndefined();
  });
});
