// A streamed chat completion: resolves once the upstream has answered 200 with an event stream
// (so an HTTP error still fails before anything reached the user), then yields each `data:`
// chunk parsed, until `data: [DONE]`. A stream that ends without [DONE] was cut: it fails as a
// connection error rather than passing a truncated answer off as complete.
import type { IncomingMessage } from "node:http";
import { StringDecoder } from "node:string_decoder";
import type { ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import { readBody } from "./body";
import type { WireTarget } from "./endpoint";
import { Exchange } from "./exchange";
import { httpError } from "./httpError";
import { providerErrorOf } from "./providerError";
import { type WireChunk, parseWireChunk } from "./schemas";
import { type SseEvent, createSseEventParser } from "./sseEvents";
import { WireError } from "./wireError";

export interface StreamOptions {
  signal?: AbortSignal;
  headers?: Readonly<Record<string, string>>;
  /** Until the response headers (default 30 s). */
  firstByteTimeoutMs?: number;
  /** Longest silence between two pieces of the body (default 30 s). */
  idleTimeoutMs?: number;
  /** The whole stream, however it trickles (default 5 min). */
  timeoutMs?: number;
  /** All of the stream's bytes (default 8 MiB). */
  maxBodyBytes?: number;
  /** One event (default 1 MiB). */
  maxEventBytes?: number;
}

export interface WireStream extends AsyncIterable<WireChunk> {
  readonly status: number;
  /** Stops reading and drops the connection (breaking out of a for-await loop does the same). */
  abort(): void;
}

export const STREAM_DEFAULTS = { firstByteTimeoutMs: 30_000, idleTimeoutMs: 30_000, timeoutMs: 5 * 60_000, maxBodyBytes: 8 * 1024 * 1024, maxEventBytes: 1024 * 1024 };

export async function stream(target: WireTarget, body: ChatCompletionCreateParamsStreaming, options: StreamOptions = {}): Promise<WireStream> {
  const limits: typeof STREAM_DEFAULTS = {
    firstByteTimeoutMs: options.firstByteTimeoutMs ?? STREAM_DEFAULTS.firstByteTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? STREAM_DEFAULTS.idleTimeoutMs,
    timeoutMs: options.timeoutMs ?? STREAM_DEFAULTS.timeoutMs,
    maxBodyBytes: options.maxBodyBytes ?? STREAM_DEFAULTS.maxBodyBytes,
    maxEventBytes: options.maxEventBytes ?? STREAM_DEFAULTS.maxEventBytes,
  };
  const exchange = new Exchange({ signal: options.signal, headers: options.headers, accept: "text/event-stream", timeoutMs: limits.timeoutMs, firstByteTimeoutMs: limits.firstByteTimeoutMs, idleTimeoutMs: limits.idleTimeoutMs });
  const res = await exchange.open(target, JSON.stringify(body));
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) {
    throw await httpError(res, status, exchange);
  }
  // A JSON body to a stream request is an error object or an unstreamed reply: either way not
  // what was asked for.
  if (/^application\/json\b/i.test(res.headers["content-type"] ?? "")) {
    await readBody(res, exchange, limits.maxEventBytes).catch(() => undefined);
    throw new WireError("bad_response", "the upstream answered JSON to a stream request", { status });
  }
  let started = false;
  return {
    status,
    abort: () => exchange.fail(new WireError("aborted", "the reader stopped the stream")),
    [Symbol.asyncIterator]() {
      if (started) throw new TypeError("openaiWire: a stream can be read once");
      started = true;
      return chunksOf(res, exchange, limits);
    },
  };
}

async function* chunksOf(res: IncomingMessage, exchange: Exchange, limits: typeof STREAM_DEFAULTS): AsyncGenerator<WireChunk, void, undefined> {
  const decoder = new StringDecoder("utf8");
  const parser = createSseEventParser();
  let bytes = 0;
  let done = false;
  let ended = false;
  try {
    for await (const piece of res as AsyncIterable<Buffer>) {
      exchange.touch();
      bytes += piece.length;
      if (bytes > limits.maxBodyBytes) throw new WireError("bad_response", `the stream is over ${limits.maxBodyBytes} bytes`);
      for (const event of parser.push(decoder.write(piece))) {
        // After [DONE] the body is read to its end only so the socket can serve the next call.
        if (done) continue;
        if (event.data === "[DONE]") done = true;
        else yield chunkOf(event);
      }
      if (parser.pending() > limits.maxEventBytes) throw new WireError("bad_response", `a stream event is over ${limits.maxEventBytes} bytes`);
    }
    ended = true;
  } catch (err) {
    throw exchange.errorOf(err);
  } finally {
    if (ended) exchange.finish();
    else exchange.fail(new WireError("aborted", "the reader stopped the stream"));
  }
  if (!done) throw new WireError("connection", "the stream ended before data: [DONE]");
}

function chunkOf(event: SseEvent): WireChunk {
  if (event.event === "error") throw new WireError("bad_response", "the upstream sent an error event");
  let json: unknown;
  try {
    json = JSON.parse(event.data);
  } catch (err) {
    throw new WireError("bad_response", "a stream event is not JSON", { cause: err });
  }
  // The openai SDK throws on a chunk that carries `error` (core/streaming.ts) rather than yield
  // it. DashScope refuses output this way mid-stream (data_inspection_failed): its code is kept.
  if (typeof json === "object" && json !== null && "error" in json && (json as { error: unknown }).error) {
    const { code, side } = providerErrorOf(json);
    throw new WireError("bad_response", "the upstream sent an error in the stream", { ...(code ? { providerCode: code } : {}), ...(side ? { providerSide: side } : {}) });
  }
  const chunk = parseWireChunk(json);
  if (!chunk) throw new WireError("bad_response", "a stream event is not a chat completion chunk");
  return chunk;
}
