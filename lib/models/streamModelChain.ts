// Streaming model calls. The chain is walked (with fallback, inside the budget) only until a
// provider has sent its first text or tool call: until then nothing has reached the user and a
// 503 is still possible. After it, a failure is a mid-stream error the caller reports as an SSE
// event. Tool calls arrive split across chunks (OpenAI's streams: a call's id and name first,
// then its arguments in pieces, each naming the call by index) and are put back together here.
import { AppError } from "../appError";
import type { Attempt, ModelRequest, ToolCall, Usage } from "../chat/types";
import { believedUsage, estimatedUsage, reportedUsage } from "../chat/usage";
import { type ChainOptions, UnusableReply, walkChain } from "./callModelChain";
import { ProviderRefusal, interruptedBy, verdictOfFailure, verdictOfFinish } from "./providerVerdict";
import { ModelTimeout, maxReplyChars } from "./deadline";
import { type CallTrace, chatBodyOf, traceHeadersOf } from "./chatBody";
import type { ModelTarget } from "./modelTargets";
import { type WireChunk, stream } from "../openaiWire";
import { within } from "../async/within";

type ToolCallDelta = NonNullable<NonNullable<NonNullable<WireChunk["choices"]>[number]["delta"]>["tool_calls"]>[number];

interface Piece {
  text: string;
  toolCalls?: ToolCallDelta[];
  model?: string;
  usage?: Usage;
  finish?: string;
}

/** What a chunk carries for the answer; the wire has already checked its shape (a second parse per chunk was the per-event profile's lead). */
function pieceOf(chunk: WireChunk): Piece {
  const u = reportedUsage(chunk.usage);
  const finish = chunk.choices?.[0]?.finish_reason;
  return {
    ...(finish ? { finish } : {}),
    text: chunk.choices?.[0]?.delta?.content ?? "",
    ...(chunk.choices?.[0]?.delta?.tool_calls?.length ? { toolCalls: chunk.choices[0].delta.tool_calls } : {}),
    ...(chunk.model ? { model: chunk.model } : {}),
    ...(u ? { usage: u } : {}),
  };
}

/** A chunk whose finish_reason ends the answer on the provider's side: its check withheld the output (content_filter, Hunyuan's sensitive), or it ran short of resources. */
function refuseOn(target: ModelTarget, piece: Piece): void {
  const verdict = verdictOfFinish(piece.finish);
  if (verdict?.kind === "refused") throw new ProviderRefusal(target.provider, verdict.side, verdict.check);
  // Stopped on the provider's side (DeepSeek's insufficient_system_resource): before the first
  // text the next provider answers, after it the stream was interrupted.
  // Stryker disable next-line StringLiteral: an UnusableReply's message never leaves.
  if (interruptedBy(piece.finish)) throw new UnusableReply("interrupted by the provider");
}

export class StreamInterrupted extends AppError {
  constructor() {
    super(502, "stream_interrupted", "the model stopped answering mid-stream");
  }
}

export interface OpenedStream {
  provider: string;
  attempts: Attempt[];
  /** The reply began with a tool call, not text (a tool round: offered tools only). */
  toolCallsFirst?: boolean;
  /** Text deltas as they come, first one included; then the stream's totals (`truncated`: cut at max_tokens) and the tool calls it asked for. */
  deltas(): AsyncGenerator<string, StreamTotals>;
}

export interface StreamTotals {
  model: string;
  usage: Usage;
  truncated?: true;
  toolCalls?: ToolCall[];
}

/** Tool calls put back together from their deltas, by index: id and name from the first, arguments appended. */
function addToolCallDeltas(calls: Map<number, ToolCall>, deltas: readonly ToolCallDelta[]): void {
  for (const d of deltas) {
    const call = calls.get(d.index) ?? { id: "", name: "", arguments: "" };
    calls.set(d.index, call);
    if (d.id) call.id = d.id;
    if (d.function?.name) call.name = d.function.name;
    call.arguments += d.function?.arguments ?? "";
  }
}

/** Reads one chunk, or fails with ModelTimeout after `ms` of the provider's time (within: not our loop's stalls). */
function nextWithin<T>(iterator: AsyncIterator<T>, ms: number, controller: AbortController): Promise<IteratorResult<T>> {
  return within(iterator.next(), ms, () => {
    controller.abort();
    return new ModelTimeout();
  });
}

/** A stream's whole life when the caller sets none (the answerer always passes the environment's model_stream_max_ms, 45 s by default): the most a function (60 s) could let it run. */
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
      refuseOn(t, piece);
      before.push(piece);
      if (piece.text !== "" || piece.toolCalls) return { iterator, before, controller, idleMs: t.timeoutMs, toolCallsFirst: piece.text === "" };
    }
  });

  return {
    provider: target.provider,
    attempts,
    ...(value.toolCallsFirst ? { toolCallsFirst: true } : {}),
    async *deltas() {
      let model = target.model;
      let usage: Usage | undefined;
      let text = "";
      let truncated = false;
      const toolCalls = new Map<number, ToolCall>();
      const take = (piece: Piece) => {
        if (piece.toolCalls) addToolCallDeltas(toolCalls, piece.toolCalls);
        refuseOn(target, piece);
        if (piece.model) model = piece.model;
        if (piece.usage) usage = piece.usage;
        if (piece.finish === "length") truncated = true;
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
        // The provider's check withheld the rest (a finish_reason, DashScope's error event): the
        // user's content, said as such, not an interruption.
        if (err instanceof ProviderRefusal) throw err;
        const verdict = verdictOfFailure(err);
        if (verdict?.kind === "refused") throw new ProviderRefusal(target.provider, "output", verdict.check);
        throw new StreamInterrupted();
      } finally {
        // Stops the provider's stream when the caller stops early (client went away).
        value.controller.abort();
      }
      const totals = { model, usage: believedUsage(usage ?? estimatedUsage(request.messages, text), request, (reported, bound) => options.onUsageClamped?.(target, reported, bound)) };
      const asked = toolCalls.size > 0 ? { toolCalls: [...toolCalls.values()] } : {};
      return truncated ? { ...totals, ...asked, truncated: true as const } : { ...totals, ...asked };
    },
  };
}
