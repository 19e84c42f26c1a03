// lib/openaiWire over real HTTP: the project's local upstream (its fault knobs), the openai SDK
// on the same upstream for comparison, and tiny node:http servers for what the upstream cannot
// do (headers then silence, a trickle, a stream with no [DONE]).
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { completionSchema } from "../lib/models/completionSchema";
import { type WireChunk, WireError, complete, stream } from "../lib/openaiWire";
import { wireChunkSchema, wireCompletionSchema } from "../lib/openaiWire/schemas";
import { type LocalUpstream, startLocalUpstream } from "../scripts/local-upstream/server";

const messages = [{ role: "user" as const, content: "Summarize the text below in at most 2 bullet points.\n\nText:\nOne fact. Two facts. Three facts." }];
const body = { model: "local-fast", messages };
const streamBody = { ...body, stream: true as const, stream_options: { include_usage: true } };

/** A node:http server that answers every request with `handle`; counts sockets and their closes. */
async function rawServer(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => handle(req, res));
  });
  let closed = 0;
  server.on("connection", (socket) => socket.on("close", () => closed++));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: { baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: "k" },
    closedSockets: () => closed,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** The WireError a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<WireError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof WireError) return err;
    throw err;
  }
  throw new Error("expected a WireError, got a value");
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  return check();
};

async function collect(chunks: AsyncIterable<WireChunk>, into: WireChunk[] = []) {
  for await (const chunk of chunks) into.push(chunk);
  return into;
}
const textOf = (chunks: WireChunk[]) => chunks.map((c) => c.choices?.[0]?.delta?.content ?? "").join("");

let upstream: LocalUpstream;
let target: { baseUrl: string; apiKey: string };
beforeAll(async () => {
  upstream = await startLocalUpstream();
  target = { baseUrl: upstream.url, apiKey: "test-key" };
});
afterAll(() => upstream.close());

describe("complete", () => {
  it("returns the parsed completion of the request it sent, with our key as a bearer token", async () => {
    const reply = await complete(target, { ...body, max_tokens: 50, temperature: 0 });
    expect(reply.choices[0]?.message.content).toBe("- One fact.\n- Two facts.");
    expect(reply.usage).toMatchObject({ prompt_tokens: expect.any(Number), total_tokens: expect.any(Number) });
    const seen = upstream.requests.at(-1)!;
    expect(seen.authorization).toBe("Bearer test-key");
    expect(seen.body).toEqual({ ...body, max_tokens: 50, temperature: 0 });
  });

  it("gives what the openai SDK gives for the same request, in the shape lib/models already parses", async () => {
    const sdk = new OpenAI({ baseURL: upstream.url, apiKey: "k", maxRetries: 0 });
    const [ours, theirs] = await Promise.all([complete(target, body), sdk.chat.completions.create(body)]);
    const { created: _a, ...oursRest } = ours;
    const { created: _b, ...theirsRest } = z.parse(wireCompletionSchema, theirs);
    expect(oursRest).toEqual(theirsRest);
    expect(z.safeParse(completionSchema, ours).success).toBe(true);
  });

  it("carries tool calls", async () => {
    upstream.enqueue({ toolCalls: [{ name: "order_status", arguments: '{"orderId":"A-1"}' }] });
    const reply = await complete(target, body);
    expect(reply.choices[0]).toMatchObject({ finish_reason: "tool_calls", message: { content: null, tool_calls: [{ id: "call_local_0", type: "function", function: { name: "order_status", arguments: '{"orderId":"A-1"}' } }] } });
  });

  it("keeps one socket alive across sequential calls", async () => {
    const own = await startLocalUpstream();
    try {
      for (let i = 0; i < 5; i++) await complete({ baseUrl: own.url, apiKey: "k" }, body);
      expect(own.connections()).toBe(1);
    } finally {
      await own.close();
    }
  });

  it("fails a 429 as http with the status and the Retry-After, and the socket still serves the next call", async () => {
    const own = await startLocalUpstream();
    try {
      own.enqueue({ status: 429, retryAfterSeconds: 2, errorMessage: "echo of the prompt: secret" });
      const err = await failure(complete({ baseUrl: own.url, apiKey: "k" }, body));
      expect(err).toMatchObject({ kind: "http", status: 429, retryAfterMs: 2000 });
      expect(err.message).not.toContain("secret");
      await complete({ baseUrl: own.url, apiKey: "k" }, body);
      expect(own.connections()).toBe(1);
    } finally {
      await own.close();
    }
  });

  it("fails a 500 and a 400 as http with their status and no Retry-After", async () => {
    upstream.enqueue({ status: 500 }, { status: 400 });
    expect(await failure(complete(target, body))).toMatchObject({ kind: "http", status: 500, retryAfterMs: undefined });
    expect(await failure(complete(target, body))).toMatchObject({ kind: "http", status: 400 });
  });

  it("reads retry-after-ms before Retry-After", async () => {
    const raw = await rawServer((_req, res) => {
      res.writeHead(503, { "content-type": "application/json", "retry-after-ms": "1500", "retry-after": "30" });
      res.end('{"error":{"message":"busy"}}');
    });
    try {
      expect(await failure(complete(raw.target, body))).toMatchObject({ kind: "http", status: 503, retryAfterMs: 1500 });
    } finally {
      await raw.close();
    }
  });

  it("fails a body that is not JSON, or JSON that is not a completion, as bad_response", async () => {
    upstream.enqueue({ malformed: true }, { wrongShape: true });
    expect(await failure(complete(target, body))).toMatchObject({ kind: "bad_response", status: 200 });
    expect(await failure(complete(target, body))).toMatchObject({ kind: "bad_response", status: 200 });
  });

  it("refuses a reply over the size cap (2 MiB by default) as bad_response, and takes it under a larger cap", async () => {
    const huge = "x".repeat(3 * 1024 * 1024);
    upstream.enqueue({ content: huge }, { content: huge });
    expect(await failure(complete(target, body))).toMatchObject({ kind: "bad_response" });
    const reply = await complete(target, body, { maxBodyBytes: 4 * 1024 * 1024 });
    expect(reply.choices[0]?.message.content).toHaveLength(huge.length);
  });

  it("sends a call again once when a kept-alive socket was closed under it, and fails as connection when the new one is too", async () => {
    const own = await startLocalUpstream();
    const ownTarget = { baseUrl: own.url, apiKey: "k" };
    try {
      await complete(ownTarget, body);
      own.enqueue({ dropConnection: true });
      await complete(ownTarget, body);
      expect(own.requests).toHaveLength(3);
      own.enqueue({ dropConnection: true }, { dropConnection: true });
      expect(await failure(complete(ownTarget, body))).toMatchObject({ kind: "connection" });
    } finally {
      await own.close();
    }
  });

  it("fails as connection when nothing listens", async () => {
    const raw = await rawServer(() => undefined);
    await raw.close();
    expect(await failure(complete(raw.target, body))).toMatchObject({ kind: "connection" });
  });

  it("speaks TLS to an https base URL: against a plain-HTTP port that fails as connection", async () => {
    const raw = await rawServer((_req, res) => res.end("{}"));
    try {
      const err = await failure(complete({ ...raw.target, baseUrl: raw.target.baseUrl.replace("http:", "https:") }, body));
      expect(err).toMatchObject({ kind: "connection" });
    } finally {
      await raw.close();
    }
  });

  it("fails at the first-byte timeout when no headers come", async () => {
    upstream.enqueue({ delayMs: 3000 });
    const err = await failure(complete(target, body, { firstByteTimeoutMs: 100, timeoutMs: 10_000 }));
    expect(err).toMatchObject({ kind: "timeout", timeout: "first_byte" });
  });

  it("fails at the whole-call deadline when the headers came and the body stalls, and drops the socket", async () => {
    const raw = await rawServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"id":"chatcmpl-1","choices":[');
    });
    try {
      const err = await failure(complete(raw.target, body, { timeoutMs: 300 }));
      expect(err).toMatchObject({ kind: "timeout", timeout: "deadline" });
      expect(await until(() => raw.closedSockets() === 1)).toBe(true);
    } finally {
      await raw.close();
    }
  });

  it("fails as aborted when the caller's signal fires, before or during the call", async () => {
    const before = upstream.requests.length;
    expect(await failure(complete(target, body, { signal: AbortSignal.abort() }))).toMatchObject({ kind: "aborted" });
    expect(upstream.requests).toHaveLength(before);
    upstream.enqueue({ delayMs: 3000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await failure(complete(target, body, { signal: controller.signal }))).toMatchObject({ kind: "aborted" });
  });

  it("sends the caller's headers after its own", async () => {
    await complete(target, body, { headers: { authorization: "Bearer other", "x-request-id": "r-1" } });
    expect(upstream.requests.at(-1)!.authorization).toBe("Bearer other");
  });
});

describe("stream", () => {
  it("yields parsed chunks up to [DONE] whose text is the whole reply, usage last", async () => {
    const chunks = await collect(await stream(target, streamBody));
    expect(textOf(chunks)).toBe("- One fact.\n- Two facts.");
    expect(chunks.at(-1)?.usage).toMatchObject({ total_tokens: expect.any(Number) });
    expect(chunks.at(-2)?.choices?.[0]?.finish_reason).toBe("stop");
    expect(upstream.requests.at(-1)!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("yields what the openai SDK's stream yields for the same request", async () => {
    const sdk = new OpenAI({ baseURL: upstream.url, apiKey: "k", maxRetries: 0 });
    const ours = await collect(await stream(target, streamBody));
    const theirs: WireChunk[] = [];
    for await (const chunk of await sdk.chat.completions.create(streamBody)) theirs.push(z.parse(wireChunkSchema, chunk));
    const withoutTime = (c: WireChunk) => ({ ...c, created: 0 });
    expect(ours.map(withoutTime)).toEqual(theirs.map(withoutTime));
  });

  it("carries streamed tool calls", async () => {
    upstream.enqueue({ toolCalls: [{ name: "order_status", arguments: '{"orderId":"A-1"}' }] });
    const chunks = await collect(await stream(target, streamBody));
    const calls = chunks.flatMap((c) => c.choices?.[0]?.delta?.tool_calls ?? []);
    expect(calls).toEqual([{ index: 0, id: "call_local_0", type: "function", function: { name: "order_status", arguments: '{"orderId":"A-1"}' } }]);
    expect(chunks.some((c) => c.choices?.[0]?.finish_reason === "tool_calls")).toBe(true);
  });

  it("fails as connection when the upstream cuts the stream, after what it did send", async () => {
    upstream.enqueue({ cutStreamAfterChunks: 2 });
    const seen: WireChunk[] = [];
    const err = await failure(collect(await stream(target, streamBody), seen));
    expect(err).toMatchObject({ kind: "connection" });
    expect(textOf(seen)).toBe("- One ");
  });

  it("fails before the first chunk with the status and Retry-After of a 429", async () => {
    upstream.enqueue({ status: 429, retryAfterSeconds: 1 });
    expect(await failure(stream(target, streamBody))).toMatchObject({ kind: "http", status: 429, retryAfterMs: 1000 });
  });

  it("fails at the first-byte timeout when no headers come", async () => {
    upstream.enqueue({ delayMs: 3000 });
    expect(await failure(stream(target, streamBody, { firstByteTimeoutMs: 100 }))).toMatchObject({ kind: "timeout", timeout: "first_byte" });
  });

  it("fails at the idle timeout when the stream goes silent after its headers", async () => {
    const raw = await rawServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write('data: {"choices":[{"index":0,"delta":{"content":"one"}}]}\n\n');
    });
    try {
      const seen: WireChunk[] = [];
      const err = await failure(collect(await stream(raw.target, streamBody, { idleTimeoutMs: 200 }), seen));
      expect(err).toMatchObject({ kind: "timeout", timeout: "idle" });
      expect(textOf(seen)).toBe("one");
      expect(await until(() => raw.closedSockets() === 1)).toBe(true);
    } finally {
      await raw.close();
    }
  });

  it("fails at the whole-stream deadline when the upstream trickles, though no gap is long", async () => {
    const timers: NodeJS.Timeout[] = [];
    const raw = await rawServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      timers.push(setInterval(() => res.write('data: {"choices":[{"index":0,"delta":{"content":"."}}]}\n\n'), 20));
    });
    try {
      const seen: WireChunk[] = [];
      const err = await failure(collect(await stream(raw.target, streamBody, { idleTimeoutMs: 1000, timeoutMs: 400 }), seen));
      expect(err).toMatchObject({ kind: "timeout", timeout: "deadline" });
      expect(seen.length).toBeGreaterThan(1);
    } finally {
      for (const t of timers) clearInterval(t);
      await raw.close();
    }
  });

  it("fails as connection when the stream ends cleanly without [DONE]", async () => {
    const raw = await rawServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end('data: {"choices":[{"index":0,"delta":{"content":"half"}}]}\n\n');
    });
    try {
      expect(await failure(collect(await stream(raw.target, streamBody)))).toMatchObject({ kind: "connection" });
    } finally {
      await raw.close();
    }
  });

  it("fails as bad_response on JSON instead of a stream, an error event, an error chunk and a chunk that is not JSON", async () => {
    const bodies = [
      ["application/json", '{"error":{"message":"no streams here"}}'],
      ["text/event-stream", 'event: error\ndata: {"message":"overloaded"}\n\n'],
      ["text/event-stream", 'data: {"error":{"message":"overloaded","type":"server_error"}}\n\n'],
      ["text/event-stream", "data: {not json\n\n"],
    ] as const;
    let n = 0;
    const raw = await rawServer((_req, res) => {
      const [type, text] = bodies[n++]!;
      res.writeHead(200, { "content-type": type });
      res.end(text);
    });
    try {
      expect(await failure(stream(raw.target, streamBody))).toMatchObject({ kind: "bad_response" });
      for (let i = 1; i < bodies.length; i++) expect(await failure(collect(await stream(raw.target, streamBody)))).toMatchObject({ kind: "bad_response" });
    } finally {
      await raw.close();
    }
  });

  it("refuses a stream over its size cap as bad_response", async () => {
    upstream.enqueue({ content: "word ".repeat(2000) });
    expect(await failure(collect(await stream(target, streamBody, { maxBodyBytes: 4096 })))).toMatchObject({ kind: "bad_response" });
  });

  it("drops the connection when the reader stops early, and the next stream works", async () => {
    const own = await startLocalUpstream();
    const ownTarget = { baseUrl: own.url, apiKey: "k" };
    try {
      own.enqueue({ chunkDelayMs: 20 });
      for await (const chunk of await stream(ownTarget, streamBody)) if (chunk.choices?.[0]?.delta?.content) break;
      expect(textOf(await collect(await stream(ownTarget, streamBody)))).toBe("- One fact.\n- Two facts.");
      expect(own.connections()).toBe(2);
    } finally {
      await own.close();
    }
  });

  it("fails as aborted when the caller's signal fires mid-stream", async () => {
    upstream.enqueue({ chunkDelayMs: 50 });
    const controller = new AbortController();
    const seen: WireChunk[] = [];
    const reading = collect(await stream(target, streamBody, { signal: controller.signal }), seen);
    setTimeout(() => controller.abort(), 80);
    expect(await failure(reading)).toMatchObject({ kind: "aborted" });
    expect(seen.length).toBeGreaterThan(0);
  });
});
