// The SSE body of a streamed answer: `delta` events as the model writes (or `draft` then
// `final` for a profile that refines), then one `done` with the shaped answer, traceId,
// profile, model and usage; or one `error` if the model stops mid-stream or its text cannot be
// shaped. The generator's return value says how it ended; `settleStream` records it.
import { AppError } from "../appError";
import type { Usage } from "../chat/types";
import { addUsage } from "../chat/usage";
import { sseEvent } from "../http/sse";
import type { PreparedCall } from "../intents/intent";
import type { GateBlock } from "../contentSecurity/gateCheck";
import type { GateStep, StreamGate } from "../contentSecurity/streamGate";
import type { ModelCall } from "../models/generateAnswer";
import type { OpenedStream } from "../models/streamModelChain";
import { answerText } from "../text/answerText";

export interface StreamOutcome {
  status: number;
  code?: string;
  message?: string;
  model?: string;
  usage?: Usage;
  /** The shaped answer, when `done` went out. */
  answer?: unknown;
  /** The streams that finished: configured model and usage each (what they cost). */
  calls?: ModelCall[];
}

/** What a stream that the client left before its end is recorded as. */
export const CLIENT_CLOSED: StreamOutcome = { status: 499, code: "client_closed", message: "the client went away before the answer was complete" };

export interface AnswerStreamOptions {
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
  /** WeChat's content check: text goes out only once it passed (one gate per model stream). */
  contentGate?: { open(): StreamGate<GateBlock> | undefined; blocked(block: GateBlock): AppError };
}

/**
 * The output rules look at the newest text and a tail before it, not the whole answer at every
 * chunk (that was quadratic in the chunks); the whole answer is checked once before `done`.
 */
const GUARD_WINDOW_CHARS = 4096;

interface Relayed {
  text: string;
  model: string;
  usage: Usage;
  call: ModelCall;
}

async function* relay(opened: OpenedStream, event: string, options: AnswerStreamOptions): AsyncGenerator<string, Relayed> {
  const deltas = opened.deltas();
  const gate = options.contentGate?.open();
  const release = (step: GateStep<GateBlock>): string => {
    if (step.status === "blocked") throw options.contentGate!.blocked(step.reason);
    return step.released;
  };
  let text = "";
  let next = await deltas.next();
  while (!next.done) {
    text += next.value;
    options.guardOutput(text.length > GUARD_WINDOW_CHARS ? text.slice(-GUARD_WINDOW_CHARS) : text);
    const out = gate ? release(await gate.push(next.value)) : next.value;
    if (out) yield sseEvent(event, { text: out });
    next = await deltas.next();
  }
  options.guardOutput(text);
  if (gate) {
    const rest = release(await gate.finish());
    if (rest) yield sseEvent(event, { text: rest });
  }
  const answered = opened.attempts.at(-1);
  return { text, model: next.value.model, usage: next.value.usage, call: { model: answered?.model ?? next.value.model, usage: next.value.usage, ...(answered ? { attempt: answered } : {}) } };
}

export async function* answerStream(options: AnswerStreamOptions): AsyncGenerator<string, StreamOutcome> {
  try {
    const first = yield* relay(options.opened, options.refine ? "draft" : "delta", options);
    const draft = options.call.shapeAnswer(first.text);
    let done: { answer: unknown; model: string; usage: Usage; draft?: unknown; refined?: boolean } = { answer: draft, model: first.model, usage: first.usage };
    const calls = [first.call];
    if (options.refine) {
      // A failed refinement still leaves the user a complete (draft) answer.
      try {
        const second = yield* relay(await options.refine.open(), "final", options);
        calls.push(second.call);
        done = { answer: options.refine.call.shapeAnswer(second.text), draft, model: second.model, usage: addUsage(first.usage, second.usage), refined: true };
      } catch (err) {
        if (err instanceof AppError && (err.code === "blocked_output" || err.code === "content_check_unavailable")) throw err;
        done = { ...done, draft, refined: false };
      }
    }
    yield sseEvent("done", { ...done, ...options.meta, traceId: options.traceId, cached: false, ...options.extraDone?.() });
    return { status: 200, model: done.model, usage: done.usage, answer: done.answer, calls };
  } catch (err) {
    const known = err instanceof AppError ? err : new AppError(500, "internal_error", "internal error");
    yield sseEvent("error", { error: { code: known.code, message: known.message }, traceId: options.traceId });
    return { status: known.status, code: known.code, message: known.message };
  }
}

/**
 * Passes a stream's events on and, however it ends (its last event, an error, or the client
 * leaving mid-way), hands its outcome to `onSettled` once: the record step of a stream.
 */
export async function* settleStream(events: AsyncGenerator<string, StreamOutcome>, onSettled: (outcome: StreamOutcome) => Promise<void>): AsyncGenerator<string> {
  let outcome = CLIENT_CLOSED;
  try {
    for (;;) {
      const next = await events.next();
      if (next.done) {
        outcome = next.value;
        break;
      }
      yield next.value;
    }
  } finally {
    // Stops the provider's stream when the client went away early.
    await events.return(CLIENT_CLOSED);
    await onSettled(outcome);
  }
}

/** A whole answer (cached, or made with tools) streamed like a fresh one: one delta, then done. */
export async function* wholeAnswerStream(answer: unknown, done: Record<string, unknown>): AsyncGenerator<string, StreamOutcome> {
  yield sseEvent("delta", { text: answerText(answer) });
  yield sseEvent("done", { answer, ...done });
  return { status: 200, answer };
}
