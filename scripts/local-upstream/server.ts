// A local OpenAI-compatible server: the embedded default upstream of `npm start`, and the
// provider every test talks to over real HTTP. Faults are queued per request so a test can
// script "500, then slow, then fine" exactly.
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { countTokens, replyFor, type UpstreamMessage } from "./replies";

export interface UpstreamFault {
  /** Wait this long before answering. */
  delayMs?: number;
  /** Answer with this status and an OpenAI-style error body. */
  status?: number;
  retryAfterSeconds?: number;
  /** With `status`: the error message to send (providers sometimes echo the prompt in it). */
  errorMessage?: string;
  /** Answer 200 with a body that is not JSON. */
  malformed?: boolean;
  /** Answer 200 with JSON that is not a chat completion. */
  wrongShape?: boolean;
  /** Close the connection without answering. */
  dropConnection?: boolean;
  /** Use this text instead of the built-in reply (with `toolCalls`: said before them, as some models do). */
  content?: string;
  /** Answer with these tool calls instead of text (and `content` before them, if given). */
  toolCalls?: { name: string; arguments: string }[];
  /**
   * Streaming tool calls as OpenAI's streams send them: a call's id, type and name in its first
   * delta, then its arguments in pieces of this many characters, each delta naming the call by
   * `index` only (without it: each call whole in one chunk).
   */
  toolCallPieceChars?: number;
  /** Streaming: send this many chunks, then cut the connection. */
  cutStreamAfterChunks?: number;
  /** Streaming: wait this long between chunks. */
  chunkDelayMs?: number;
  /** Whole replies: send the headers and half the body, then go quiet this long before the rest. */
  stallAfterHeadersMs?: number;
  /** Finish with this reason instead of stop (e.g. "length": cut at max_tokens). */
  finishReason?: string;
  /** Report this usage instead of the real counts (a buggy or hostile provider). */
  usage?: Record<string, unknown>;
}

export interface RecordedRequest {
  path: string;
  authorization: string | undefined;
  /** The X-Trace-Id the caller sent, as a gateway or a provider console would log it. */
  traceId: string | undefined;
  body: Record<string, unknown>;
}

export interface LocalUpstream {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** TCP connections accepted so far (a client that reuses sockets opens few). */
  connections(): number;
  /** Faults for the next requests, one each, in order. */
  enqueue(...faults: UpstreamFault[]): void;
  /** Applied to every request that has no queued fault. */
  setDefault(fault: UpstreamFault): void;
  /** Applied to every request for this model that has no queued fault (one profile worse than another). */
  setModelFault(model: string, fault: UpstreamFault | undefined): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A request's JSON object body ({} for anything else): providers answer what they can parse. */
export function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        const value: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        resolve(value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
      } catch {
        resolve({});
      }
    });
  });
}

function modelName(requested: unknown): string {
  const name = typeof requested === "string" && requested !== "" ? requested : "default";
  return name.startsWith("local") ? name : `local-stand-in:${name}`;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function chunksOf(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

type StreamedToolCall = { id: string; type: string; function: { name: string; arguments: string } };

/** The `delta.tool_calls` of each chunk: all calls whole in one, or each call split across several. */
function toolCallDeltas(calls: StreamedToolCall[], pieceChars: number | undefined): Record<string, unknown>[][] {
  if (!pieceChars) return [calls.map((c, index) => ({ index, ...c }))];
  return calls.flatMap((c, index) => {
    const args = c.function.arguments;
    const pieces = Array.from({ length: Math.ceil(args.length / pieceChars) }, (_, i) => args.slice(i * pieceChars, (i + 1) * pieceChars));
    return [[{ index, id: c.id, type: c.type, function: { name: c.function.name, arguments: "" } }], ...pieces.map((piece) => [{ index, function: { arguments: piece } }])];
  });
}

async function answer(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>, fault: UpstreamFault): Promise<void> {
  if (fault.delayMs) await sleep(fault.delayMs);
  if (res.destroyed) return;
  if (fault.dropConnection) {
    req.socket.destroy();
    return;
  }
  if (fault.status) {
    const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
    sendJson(res, fault.status, { error: { message: fault.errorMessage ?? `local upstream: forced status ${fault.status}`, type: "local_fault", code: null } }, headers);
    return;
  }
  if (fault.malformed) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"id": "cmpl-local", "choices": [ this is not json');
    return;
  }
  if (fault.wrongShape) {
    sendJson(res, 200, { id: "cmpl-local", object: "chat.completion", result: "no choices here" });
    return;
  }

  const messages = Array.isArray(body.messages) ? (body.messages as UpstreamMessage[]) : [];
  const text = fault.content ?? replyFor(messages);
  const model = modelName(body.model);
  const promptTokens = countTokens(messages.map((m) => m.content ?? "").join("\n"));
  const usage = fault.usage ?? { prompt_tokens: promptTokens, completion_tokens: countTokens(text), total_tokens: promptTokens + countTokens(text) };
  const created = Math.floor(Date.now() / 1000);
  const toolCalls = fault.toolCalls?.map((call, i) => ({ id: `call_local_${i}`, type: "function", function: call }));

  if (body.stream === true) {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    // Each write is awaited so that a cut happens after what was sent has reached the socket.
    const send = (payload: unknown) => new Promise<void>((resolve) => res.write(`data: ${JSON.stringify(payload)}\n\n`, () => resolve()));
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({ id: "chatcmpl-local", object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }] });
    await send(chunk({ role: "assistant" }, null));
    const pieces = toolCalls && fault.content === undefined ? [] : chunksOf(text);
    for (const [i, piece] of pieces.entries()) {
      if (fault.cutStreamAfterChunks !== undefined && i >= fault.cutStreamAfterChunks) {
        req.socket.destroy();
        return;
      }
      if (fault.chunkDelayMs && i > 0) await sleep(fault.chunkDelayMs);
      await send(chunk({ content: piece }, null));
    }
    if (toolCalls) for (const delta of toolCallDeltas(toolCalls, fault.toolCallPieceChars)) await send(chunk({ tool_calls: delta }, null));
    await send(chunk({}, toolCalls ? "tool_calls" : (fault.finishReason ?? "stop")));
    const options = body.stream_options as { include_usage?: boolean } | undefined;
    if (options?.include_usage) await send({ id: "chatcmpl-local", object: "chat.completion.chunk", created, model, choices: [], usage });
    res.end("data: [DONE]\n\n");
    return;
  }

  const whole = {
    id: "chatcmpl-local",
    object: "chat.completion",
    created,
    model,
    choices: [
      {
        index: 0,
        message: toolCalls ? { role: "assistant", content: fault.content ?? null, tool_calls: toolCalls } : { role: "assistant", content: text },
        finish_reason: toolCalls ? "tool_calls" : (fault.finishReason ?? "stop"),
      },
    ],
    usage,
  };
  if (fault.stallAfterHeadersMs) {
    const text = JSON.stringify(whole);
    res.writeHead(200, { "content-type": "application/json" });
    res.write(text.slice(0, text.length >> 1));
    await sleep(fault.stallAfterHeadersMs);
    if (!res.destroyed) res.end(text.slice(text.length >> 1));
    return;
  }
  sendJson(res, 200, whole);
}

export async function startLocalUpstream(options: { port?: number; host?: string } = {}): Promise<LocalUpstream> {
  const queue: UpstreamFault[] = [];
  let defaults: UpstreamFault = {};
  const byModel = new Map<string, UpstreamFault>();
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method === "GET" && (path === "/v1/models" || path === "/models")) {
      sendJson(res, 200, { object: "list", data: [{ id: "local-fast", object: "model", owned_by: "miniask-local" }] });
      return;
    }
    if (req.method !== "POST" || !/^(\/v1)?\/chat\/completions$/.test(path)) {
      sendJson(res, 404, { error: { message: "local upstream: only POST /v1/chat/completions", type: "not_found" } });
      return;
    }
    void readJson(req).then((body) => {
      requests.push({ path, authorization: req.headers.authorization, traceId: typeof req.headers["x-trace-id"] === "string" ? req.headers["x-trace-id"] : undefined, body });
      const fault = queue.shift() ?? byModel.get(String(body.model)) ?? defaults;
      return answer(req, res, body, fault);
    });
  });
  let connections = 0;
  server.on("connection", () => {
    connections += 1;
  });
  // Node's default 5 s. Not shorter: undici (Node's fetch, under the openai SDK) subtracts a 1 s
  // margin from the server's `Keep-Alive: timeout=N` hint, so at 1 s it would drop every socket
  // after one request and each model call would pay a new TCP connection. close() ends idle
  // sockets itself, so tests need no short timeout.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    connections: () => connections,
    enqueue: (...faults) => queue.push(...faults),
    setDefault: (fault) => {
      defaults = fault;
    },
    setModelFault: (model, fault) => {
      if (fault) byModel.set(model, fault);
      else byModel.delete(model);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
