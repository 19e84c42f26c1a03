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
  traceId: string;
  /** Fields every `done` carries besides answer, model and usage. */
  meta: Record<string, unknown>;
  /** Output rules, run on the text so far before each delta goes out. */
  guardOutput(text: string): void;
  /** After the last delta, before `done`: quota charge and cache write. */
  onComplete(done: StreamDone): Promise<void>;
  finish(outcome: { status: number; code?: string; model?: string; usage?: Usage }): void;
}): AsyncGenerator<string> {
  let text = "";
  let outcome: Parameters<typeof options.finish>[0] = { status: 499, code: "client_closed" };
  try {
    const deltas = options.opened.deltas();
    let next = await deltas.next();
    while (!next.done) {
      text += next.value;
      options.guardOutput(text);
      yield sseEvent("delta", { text: next.value });
      next = await deltas.next();
    }
    const answer = options.call.shapeAnswer(text);
    const done = { answer, model: next.value.model, usage: next.value.usage };
    await options.onComplete(done);
    outcome = { status: 200, model: done.model, usage: done.usage };
    yield sseEvent("done", { ...done, ...options.meta, traceId: options.traceId, cached: false });
  } catch (err) {
    const known = err instanceof AppError ? err : new AppError(500, "internal_error", "internal error");
    outcome = { status: known.status, code: known.code };
    yield sseEvent("error", { error: { code: known.code, message: known.message }, traceId: options.traceId });
  } finally {
    options.finish(outcome);
  }
}

/** A whole answer (cached, or made with tools) streamed like a fresh one: one delta, then done. */
export async function* wholeAnswerStream(answer: unknown, done: Record<string, unknown>): AsyncGenerator<string> {
  yield sseEvent("delta", { text: typeof answer === "string" ? answer : JSON.stringify(answer) });
  yield sseEvent("done", { answer, ...done });
}
