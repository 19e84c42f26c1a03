// The per-event path of a stream made cheap without changing what it delivers: events of one
// turn of the loop are written as one string, in order, the record step before the last one;
// the usual chunk is checked by hand with the same result as the full schema, and anything
// unusual still goes through the schema (a malformed chunk is still refused).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { stream } from "../lib/openaiWire";
import { type WireChunk, parseWireChunk, wireChunkSchema } from "../lib/openaiWire/schemas";
import { CLIENT_CLOSED, type StreamOutcome, settleStream } from "../lib/streaming/answerStream";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function* source(log: string[]): AsyncGenerator<string, StreamOutcome> {
  try {
    yield "a";
    yield "b";
    yield "c";
    await pause(5);
    yield "d";
    await pause(5);
    yield "e";
    yield "f";
    return { status: 200, last: "DONE" };
  } finally {
    log.push("source closed");
  }
}

describe("settleStream", () => {
  it("writes the events of one tick as one string, every event once and in order, the record before the last", async () => {
    const log: string[] = [];
    const writes: string[] = [];
    for await (const write of settleStream(source(log), async (outcome) => {
      await pause(5);
      log.push(`recorded ${outcome.status}`);
    })) {
      writes.push(write);
      log.push(`wrote ${write}`);
    }
    expect(writes).toEqual(["abc", "d", "efDONE"]);
    expect(log).toEqual(["wrote abc", "wrote d", "source closed", "recorded 200", "wrote efDONE"]);
  });

  it("a client that leaves mid-way: the source is stopped and the stream recorded as client_closed", async () => {
    const log: string[] = [];
    const outcomes: StreamOutcome[] = [];
    for await (const write of settleStream(source(log), async (outcome) => void outcomes.push(outcome))) {
      expect(write).toBe("abc");
      break;
    }
    expect(outcomes).toEqual([CLIENT_CLOSED]);
    expect(log).toEqual(["source closed"]);
  });

  it("a source that fails while a batch is being written fails the stream (recorded as client_closed), never unhandled", async () => {
    async function* failing(): AsyncGenerator<string, StreamOutcome> {
      yield "x";
      await pause(5);
      throw new Error("broken source");
    }
    const outcomes: StreamOutcome[] = [];
    const writes: string[] = [];
    await expect(
      (async () => {
        for await (const write of settleStream(failing(), async (outcome) => void outcomes.push(outcome))) writes.push(write);
      })(),
    ).rejects.toThrow("broken source");
    expect(writes).toEqual(["x"]);
    expect(outcomes).toEqual([CLIENT_CLOSED]);
  });
});

describe("parseWireChunk", () => {
  const full = (json: unknown) => {
    const parsed = z.safeParse(wireChunkSchema, json);
    return parsed.success ? parsed.data : undefined;
  };
  const chunks: unknown[] = [
    { id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] },
    { id: "c", choices: [{ index: 0, delta: { content: "你好" }, finish_reason: null, logprobs: null }], system_fingerprint: "fp" },
    { choices: [{ delta: { content: null, refusal: null, tool_calls: null, function_call: null } }] },
    { choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
    { choices: [], usage: null },
    { choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
    { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: "t", type: "function", function: { name: "f", arguments: "{}" } }] } }] },
    { choices: [{ index: 0, delta: { content: "a" } }, { index: 1, delta: { content: "b" } }] },
    { choices: [{ index: 0, delta: { refusal: "no" } }] },
    {},
    { __proto__: "x", toString: 1, choices: [{ delta: { content: "x" } }] },
    JSON.parse('{"__proto__": {"model": 1}, "choices": [{"delta": {"content": "p"}}]}'),
  ];
  const malformed: unknown[] = [
    null,
    "text",
    [],
    { choices: "x" },
    { choices: [{ delta: { content: 5 } }] },
    { choices: [{ delta: "x" }] },
    { choices: [{ index: "0", delta: { content: "x" } }] },
    { choices: [{ delta: { content: "x" }, finish_reason: 1 }] },
    { choices: [{ delta: { role: null } }] },
    { model: 5, choices: [] },
    { created: "now", choices: [] },
    { choices: [], usage: { prompt_tokens: "1" } },
    { choices: [{ delta: { tool_calls: [{ id: "no index" }] } }] },
    { choices: [null] },
  ];

  it("gives what the full schema gives for every chunk it accepts, unknown keys dropped", () => {
    for (const chunk of chunks) {
      expect(full(chunk), JSON.stringify(chunk)).toBeDefined();
      expect(parseWireChunk(chunk), JSON.stringify(chunk)).toStrictEqual(full(chunk));
    }
  });

  it("refuses what the full schema refuses", () => {
    for (const chunk of malformed) expect(parseWireChunk(chunk), JSON.stringify(chunk)).toBeUndefined();
  });
});

describe("a streamed chunk through the wire", () => {
  /** A provider double that streams these `data:` payloads, then [DONE]. */
  async function provider(payloads: string[]) {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(`${payloads.map((p) => `data: ${p}\n\n`).join("")}data: [DONE]\n\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { target: { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, apiKey: "k" }, close: () => new Promise((resolve) => server.close(resolve)) };
  }
  const body = { model: "m", messages: [{ role: "user" as const, content: "hi" }], stream: true as const };
  async function read(payloads: string[]) {
    const p = await provider(payloads);
    const seen: WireChunk[] = [];
    try {
      for await (const chunk of await stream(p.target, body)) seen.push(chunk);
      return { seen };
    } catch (error) {
      return { seen, error: error as { kind: string; message: string } };
    } finally {
      await p.close();
    }
  }

  it("a malformed chunk after good ones is a clear bad_response error", async () => {
    const { seen, error } = await read(['{"choices":[{"index":0,"delta":{"content":"ok"}}]}', '{"choices":[{"index":0,"delta":{"content":5}}]}']);
    expect(seen).toEqual([{ choices: [{ index: 0, delta: { content: "ok" } }] }]);
    expect(error).toMatchObject({ kind: "bad_response", message: "a stream event is not a chat completion chunk" });
  });

  it("a tool call and a usage chunk take the full parse and come through", async () => {
    const { seen, error } = await read(['{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"t","function":{"name":"f","arguments":"{}"}}]}}]}', '{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}']);
    expect(error).toBeUndefined();
    expect(seen).toEqual([{ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: "t", function: { name: "f", arguments: "{}" } }] } }] }, { choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }]);
  });
});
