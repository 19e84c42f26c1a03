// The SSE body of a streamed answer: `delta` events as the model writes (or `draft` then
// `final` for a profile that refines), then one `done` with the shaped answer, traceId,
// profile, model and usage; or one `error` if the model stops mid-stream or its text cannot be
// shaped. The generator's return value says how it ended and carries that last event:
// `settleStream` records the outcome first and sends the last event after, so nothing that
// matters waits on an instance that may be frozen once its response ended.
import { AppError } from "../appError";
import type { ModelMessage, Usage } from "../chat/types";
import { ZERO_USAGE, addUsage, estimatedUsage } from "../chat/usage";
import { sseEvent } from "../http/sse";
import type { PreparedCall } from "../intents/intent";
import type { GateBlock } from "../contentSecurity/gateCheck";
import type { GateStep, StreamGate } from "../contentSecurity/streamGate";
import type { ModelCall } from "../models/generateAnswer";
import type { OpenedStream } from "../models/streamModelChain";
import { WireError } from "../openaiWire/wireError";
import type { OutputGuard } from "../safety/guards";
import { streamingGuardOf } from "../safety/outputRules";
import { answerText } from "../text/answerText";
import { END_OF_TICK, untilEndOfTick } from "./endOfTick";

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
  /** The stream's last event (`done` or `error`), sent once the outcome is recorded. */
  last?: string;
}

/** What a stream that the client left before its end is recorded as. */
export const CLIENT_CLOSED: StreamOutcome = { status: 499, code: "client_closed", message: "the client went away before the answer was complete" };

export interface AnswerStreamOptions {
  opened: OpenedStream;
  call: PreparedCall;
  /** The messages the model was sent: a stream cut short is charged an estimate from them and its text so far (none: nothing, a cached draft). */
  prompt?: readonly ModelMessage[];
  /** Fast first, then refine: the first stream's text goes out as `draft`, this one's as `final`. */
  refine?: { open(): Promise<OpenedStream>; call: PreparedCall; prompt?: readonly ModelMessage[] };
  traceId: string;
  /** Fields every `done` carries besides answer, model and usage. */
  meta: Record<string, unknown>;
  /** More fields for `done`, read when it is sent (the playground's trace). */
  extraDone?: () => Record<string, unknown>;
  /** Output rules: incrementally before each delta goes out (when the guard can stream), on the whole text and the shaped answer before `done`. */
  guardOutput: OutputGuard;
  /** WeChat's content check: text goes out only once it passed (one gate per model stream). */
  contentGate?: { open(): StreamGate<GateBlock> | undefined; blocked(block: GateBlock): AppError };
}

interface Relayed {
  text: string;
  model: string;
  usage: Usage;
  call: ModelCall;
  /** The provider cut the text at max_tokens (finish_reason length). */
  truncated?: true;
}

/**
 * What a stream's model calls spent so far: the streams that finished (their reported usage),
 * and the one still running, estimated from its prompt and its text so far. However the stream
 * ends (withheld, failed, or left by the client), this is what it is charged.
 */
interface StreamSpend {
  calls: ModelCall[];
  running?: { opened: OpenedStream; prompt: readonly ModelMessage[]; text: string };
}

function spentOf(spend: StreamSpend): { usage: Usage; calls: ModelCall[] } {
  const { running } = spend;
  const answered = running?.opened.attempts.at(-1);
  const calls = running && answered ? [...spend.calls, { model: answered.model, usage: estimatedUsage(running.prompt, running.text), attempt: answered }] : spend.calls;
  return { usage: calls.reduce((sum, call) => addUsage(sum, call.usage), ZERO_USAGE), calls };
}

async function* relay(opened: OpenedStream, event: string, options: AnswerStreamOptions, spend: StreamSpend, prompt: readonly ModelMessage[] | undefined): AsyncGenerator<string, Relayed> {
  const running = prompt ? { opened, prompt, text: "" } : undefined;
  if (running) spend.running = running;
  const deltas = opened.deltas();
  const gate = options.contentGate?.open();
  const guard = streamingGuardOf(options.guardOutput);
  const release = (step: GateStep<GateBlock>): string => {
    if (step.status === "blocked") throw options.contentGate!.blocked(step.reason);
    return step.released;
  };
  let text = "";
  let next = await deltas.next();
  while (!next.done) {
    text += next.value;
    if (running) running.text = text;
    guard.push(next.value);
    const out = gate ? release(await gate.push(next.value)) : next.value;
    if (out) yield sseEvent(event, { text: out });
    next = await deltas.next();
  }
  // Finished: the provider's usage, charged whatever the checks below decide.
  const answered = opened.attempts.at(-1);
  const call: ModelCall = { model: answered?.model ?? next.value.model, usage: next.value.usage, ...(answered ? { attempt: answered } : {}) };
  spend.calls.push(call);
  spend.running = undefined;
  options.guardOutput(text);
  if (gate) {
    const rest = release(await gate.finish());
    if (rest) yield sseEvent(event, { text: rest });
  }
  return { text, model: next.value.model, usage: next.value.usage, call, ...(next.value.truncated ? { truncated: true as const } : {}) };
}

export async function* answerStream(options: AnswerStreamOptions): AsyncGenerator<string, StreamOutcome> {
  const spend: StreamSpend = { calls: [] };
  let ended = false;
  try {
    const outcome = yield* answerEvents(options, spend);
    ended = true;
    return outcome;
  } finally {
    // Left by the client (settleStream returns this generator early): charged what it spent so far.
    if (!ended) return { ...CLIENT_CLOSED, ...spentOf(spend) };
  }
}

async function* answerEvents(options: AnswerStreamOptions, spend: StreamSpend): AsyncGenerator<string, StreamOutcome> {
  try {
    const first = yield* relay(options.opened, options.refine ? "draft" : "delta", options, spend, options.prompt);
    const draft = shaped(options.call, first.text, options.guardOutput);
    // `truncated`: the provider cut the answer at max_tokens; it is shaped all the same.
    let done: { answer: unknown; model: string; usage: Usage; draft?: unknown; refined?: boolean; truncated?: true } = { answer: draft, model: first.model, usage: first.usage, ...(first.truncated ? { truncated: true as const } : {}) };
    if (options.refine) {
      // A failed refinement still leaves the user a complete (draft) answer.
      try {
        const second = yield* relay(await options.refine.open(), "final", options, spend, options.refine.prompt);
        done = { answer: shaped(options.refine.call, second.text, options.guardOutput), draft, model: second.model, usage: addUsage(first.usage, second.usage), refined: true, ...(second.truncated ? { truncated: true as const } : {}) };
      } catch (err) {
        if (err instanceof AppError && (err.code === "blocked_output" || err.code === "content_check_unavailable")) throw err;
        done = { ...done, draft, refined: false };
      }
    }
    const last = sseEvent("done", { ...done, ...options.meta, traceId: options.traceId, cached: false, ...options.extraDone?.() });
    // Charged what was spent: a refinement that failed mid-way included.
    return { status: 200, model: done.model, answer: done.answer, ...spentOf(spend), last };
  } catch (err) {
    // The client left and its signal stopped the provider: nobody is there to read an error event.
    if (leftByClient(err)) return { ...CLIENT_CLOSED, ...spentOf(spend) };
    const known = err instanceof AppError ? err : new AppError(500, "internal_error", "internal error");
    // A blocked answer's category (WeChat's, or the provider check's) goes with its code, as in a whole answer's error body.
    const last = sseEvent("error", { error: { ...known.fields, code: known.code, message: known.message }, traceId: options.traceId });
    // Withheld or failed mid-way, what its calls spent is charged all the same.
    return { status: known.status, code: known.code, message: known.message, ...spentOf(spend), last };
  }
}

function leftByClient(err: unknown): boolean {
  return (err instanceof WireError && err.kind === "aborted") || (err instanceof Error && err.name === "AbortError");
}

/** The answer as the client will get it, through the output rules once more (a shape may differ from the text it came from). */
function shaped(call: PreparedCall, text: string, guardOutput: OutputGuard): unknown {
  const answer = call.shapeAnswer(text);
  guardOutput(answerText(answer));
  return answer;
}

/**
 * Passes a stream's events on, those ready in the same turn of the event loop as one string
 * (one write, one writev of a chunk, instead of one per event), and, however it ends
 * (its last event, an error, or the client leaving mid-way), hands its outcome to `onSettled`
 * once: the record step of a stream. A stream that ran to its end is recorded before its last
 * event goes out, so the client never holds a `done` whose record is not yet in the store.
 */
export async function* settleStream(events: AsyncGenerator<string, StreamOutcome>, onSettled: (outcome: StreamOutcome) => Promise<void>): AsyncGenerator<string> {
  let ended: StreamOutcome | undefined;
  let batch = "";
  let next = events.next();
  try {
    for (;;) {
      // With nothing held, wait for the next event; with a batch, only until the tick ends.
      const step = batch === "" ? await next : await untilEndOfTick(next);
      if (step === END_OF_TICK) {
        const out = batch;
        batch = "";
        // The next event is still on its way while this batch is written: a failure then is
        // seen when it is awaited, not reported as unhandled in between.
        next.catch(ignore);
        yield out;
        continue;
      }
      if (step.done) {
        ended = step.value;
        await onSettled(ended);
        // What was still held goes with the last event: one write.
        const rest = batch + (ended.last ?? "");
        if (rest) yield rest;
        return;
      }
      batch += step.value;
      next = events.next();
    }
  } finally {
    if (!ended) {
      // Stops the provider's stream when the client went away early; its outcome says what it spent.
      const closed = await events.return(CLIENT_CLOSED);
      await onSettled(closed.done && closed.value ? closed.value : CLIENT_CLOSED);
    }
  }
}

const ignore = () => undefined;

/** A whole answer (cached, or made with tools) streamed like a fresh one: one delta, then done. */
export async function* wholeAnswerStream(answer: unknown, done: Record<string, unknown>): AsyncGenerator<string, StreamOutcome> {
  yield sseEvent("delta", { text: answerText(answer) });
  yield sseEvent("done", { answer, ...done });
  return { status: 200, answer };
}
