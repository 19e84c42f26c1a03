// Streaming model calls. The chain is walked (with fallback, inside the budget) only until a
// provider has sent its first text: until then nothing has reached the user and a 503 is still
// possible. After it, a failure is a mid-stream error the caller reports as an SSE event.
import { AppError } from "../appError";
import type { Attempt, ModelRequest, Usage } from "../chat/types";
import { believedUsage, estimatedUsage, reportedUsage } from "../chat/usage";
import { type ChainOptions, UnusableReply, walkChain } from "./callModelChain";
import { ModelTimeout, maxReplyChars } from "./deadline";
import { type CallTrace, chatBodyOf, traceHeadersOf } from "./chatBody";
import type { ModelTarget } from "./modelTargets";
import { type WireChunk, stream } from "../openaiWire";
import { within } from "../async/within";

interface Piece {
  text: string;
  model?: string;
  usage?: Usage;
}

/** What a chunk carries for the answer; the wire has already checked its shape (a second parse per chunk was the per-event profile's lead). */
function pieceOf(chunk: WireChunk): Piece {
  const u = reportedUsage(chunk.usage);
  return {
    text: chunk.choices?.[0]?.delta?.content ?? "",
    ...(chunk.model ? { model: chunk.model } : {}),
    ...(u ? { usage: u } : {}),
  };
}

export class StreamInterrupted extends AppError {
  constructor() {
    super(502, "stream_interrupted", "the model stopped answering mid-stream");
  }
}

export interface OpenedStream {
  provider: string;
  attempts: Attempt[];
  /** Text deltas as they come, first one included; then the stream's totals. */
  deltas(): AsyncGenerator<string, { model: string; usage: Usage }>;
}

/** Reads one chunk, or fails with ModelTimeout after `ms` of the provider's time (within: not our loop's stalls). */
function nextWithin<T>(iterator: AsyncIterator<T>, ms: number, controller: AbortController): Promise<IteratorResult<T>> {
  return within(iterator.next(), ms, () => {
    controller.abort();
    return new ModelTimeout();
  });
}

/** A stream's whole life when the caller sets none (the function's own timeout is 60 s). */
const DEFAULT_STREAM_MAX_MS = 60_000;

export async function openModelStream(
  chain: readonly ModelTarget[],
  request: ModelRequest,
  options: ChainOptions & { signal?: AbortSignal; trace?: CallTrace; streamMaxMs?: number },
): Promise<OpenedStream> {
  const endBy = Date.now() + (options.streamMaxMs ?? DEFAULT_STREAM_MAX_MS);
  const maxChars = maxReplyChars(request.maxTokens);
  const headers = traceHeadersOf(options.trace);
  const { value, target, attempts } = await walkChain(chain, options, async (t, timeoutMs) => {
    const controller = new AbortController();
    options.signal?.addEventListener("abort", () => controller.abort(), { once: true });
    // The wire enforces headers-within-the-attempt, silence between chunks and the stream's
    // total life itself; the loop below adds "first text within the attempt".
    const opened = await stream(t, { ...chatBodyOf(t, request, options.trace), stream: true, stream_options: { include_usage: true } }, {
      signal: controller.signal,
      firstByteTimeoutMs: timeoutMs,
      idleTimeoutMs: t.timeoutMs,
      timeoutMs: Math.max(1, endBy - Date.now()),
      ...(headers ? { headers } : {}),
    });
    controller.signal.addEventListener("abort", () => opened.abort(), { once: true });
    const iterator = opened[Symbol.asyncIterator]();
    const started = Date.now();
    const before: Piece[] = [];
    // Until the first text arrives, any failure falls back to the next provider.
    for (;;) {
      const next = await nextWithin(iterator, Math.max(1, timeoutMs - (Date.now() - started)), controller);
      if (next.done) throw new UnusableReply("stream ended without text");
      const piece = pieceOf(next.value);
      before.push(piece);
      if (piece.text !== "") return { iterator, before, controller, idleMs: t.timeoutMs };
    }
  });

  return {
    provider: target.provider,
    attempts,
    async *deltas() {
      let model = target.model;
      let usage: Usage | undefined;
      let text = "";
      const take = (piece: Piece) => {
        if (piece.model) model = piece.model;
        if (piece.usage) usage = piece.usage;
        text += piece.text;
        return piece.text;
      };
      try {
        for (const piece of value.before) {
          const delta = take(piece);
          if (delta) yield delta;
        }
        for (;;) {
          // Idle time between chunks, and the stream's total cap: a trickle cannot run forever.
          const next = await nextWithin(value.iterator, Math.max(1, Math.min(value.idleMs, endBy - Date.now())), value.controller);
          if (next.done) break;
          const delta = take(pieceOf(next.value));
          if (text.length > maxChars) throw new UnusableReply("reply longer than max_tokens allows");
          if (delta) yield delta;
        }
      } catch (err) {
        if (options.signal?.aborted) throw err;
        throw new StreamInterrupted();
      } finally {
        // Stops the provider's stream when the caller stops early (client went away).
        value.controller.abort();
      }
      return { model, usage: believedUsage(usage ?? estimatedUsage(request.messages, text), request, (reported, bound) => options.onUsageClamped?.(target, reported, bound)) };
    },
  };
}
