// The SSE body of a streamed answer: `delta` events as the model writes, then one `done` with
// the shaped answer, traceId, profile, model and usage; or one `error` if the model stops
// mid-stream or its text cannot be shaped. `finish` runs once, whatever happened.
import { AppError } from "../appError";
import { sseEvent } from "../http/sse";
import type { PreparedCall } from "../intents/intent";
import type { Usage } from "../models/callModelChain";
import type { OpenedStream } from "../models/streamModelChain";

export interface StreamDone {
  answer: unknown;
  model: string;
  usage: Usage;
}

export async function* answerStream(options: {
  opened: OpenedStream;
  call: PreparedCall;
  /** Fast first, then refine: the first stream's text goes out as `draft`, this one's as `final`. */
  refine?: { open(): Promise<OpenedStream>; call: PreparedCall };
  traceId: string;
  /** Fields every `done` carries besides answer, model and usage. */
  meta: Record<string, unknown>;
  /** More fields for `done`, read when it is sent (the playground's trace). */
  extraDone?: () => Record<string, unknown>;
  /** Output rules, run on the text so far before each delta goes out. */
  guardOutput(text: string): void;
  /** After the last delta, before `done`: quota charge and cache write. */
  onComplete(done: StreamDone): Promise<void>;
  finish(outcome: { status: number; code?: string; message?: string; model?: string; usage?: Usage }): Promise<void>;
}): AsyncGenerator<string> {
  let outcome: Parameters<typeof options.finish>[0] = { status: 499, code: "client_closed" };
  const guardOutput = options.guardOutput;
  async function* relay(opened: OpenedStream, event: string, sink: { text: string; model: string; usage: Usage }) {
    const deltas = opened.deltas();
    let next = await deltas.next();
    while (!next.done) {
      sink.text += next.value;
      guardOutput(sink.text);
      yield sseEvent(event, { text: next.value });
      next = await deltas.next();
    }
    sink.model = next.value.model;
    sink.usage = next.value.usage;
  }
  try {
    const first = { text: "", model: "", usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 } };
    yield* relay(options.opened, options.refine ? "draft" : "delta", first);
    const draft = options.call.shapeAnswer(first.text);
    let done: StreamDone & { draft?: unknown; refined?: boolean } = { answer: draft, model: first.model, usage: first.usage };
    if (options.refine) {
      // A failed refinement still leaves the user a complete (draft) answer.
      try {
        const second = { ...first, text: "" };
        yield* relay(await options.refine.open(), "final", second);
        const usage = { promptTokens: first.usage.promptTokens + second.usage.promptTokens, completionTokens: first.usage.completionTokens + second.usage.completionTokens, totalTokens: first.usage.totalTokens + second.usage.totalTokens };
        done = { answer: options.refine.call.shapeAnswer(second.text), draft, model: second.model, usage, refined: true };
      } catch (err) {
        if (err instanceof AppError && err.code === "blocked_output") throw err;
        done = { ...done, draft, refined: false };
      }
    }
    await options.onComplete(done);
    outcome = { status: 200, model: done.model, usage: done.usage };
    yield sseEvent("done", { ...done, ...options.meta, traceId: options.traceId, cached: false, ...options.extraDone?.() });
  } catch (err) {
    const known = err instanceof AppError ? err : new AppError(500, "internal_error", "internal error");
    outcome = { status: known.status, code: known.code, message: known.message };
    yield sseEvent("error", { error: { code: known.code, message: known.message }, traceId: options.traceId });
  } finally {
    await options.finish(outcome);
  }
}

/** A whole answer (cached, or made with tools) streamed like a fresh one: one delta, then done. */
export async function* wholeAnswerStream(answer: unknown, done: Record<string, unknown>): AsyncGenerator<string> {
  yield sseEvent("delta", { text: typeof answer === "string" ? answer : JSON.stringify(answer) });
  yield sseEvent("done", { answer, ...done });
}
