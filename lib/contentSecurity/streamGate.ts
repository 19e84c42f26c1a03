// Holds a streamed answer back until it has been checked. Text arrives in deltas; the gate
// cuts it into spans of at least `everyChars` characters ending on a sentence boundary (or at
// `everyChars` when a sentence runs on), checks each span, and releases a span only after it
// passed and everything before it was released. finish() checks the whole answer, so context
// that spans several sentences is judged before `done`, and releases the rest. A blocked check
// stops the gate: nothing after the last released span ever comes out.
//
// Cost: first byte waits for `everyChars` characters (or the first sentence after them) plus
// one check; each later span adds a check only if WeChat is slower than the model writes it.
import { lastCharBoundary, lastSentenceEnd } from "./sentences";

export type GateCheckResult<R> = { allow: true } | { allow: false; reason: R };

export interface StreamGateOptions<R> {
  check(text: string): Promise<GateCheckResult<R>>;
  /** Least characters per checked span (the last one excepted). Default 200. */
  everyChars?: number;
}

export type GateStep<R> = { status: "open"; released: string } | { status: "blocked"; reason: R };

export interface StreamGate<R> {
  /** Adds model text; resolves with the text now safe to send (often ""). Calls run in order. */
  push(delta: string): Promise<GateStep<R>>;
  /** The model is done: checks the whole answer and resolves with the rest of the text. */
  finish(): Promise<GateStep<R>>;
  /** Everything released so far. */
  released(): string;
}

/** Cuts `pending` into spans for checking; the rest stays pending. */
export function cutSpans(pending: string, everyChars: number): { spans: string[]; rest: string } {
  const spans: string[] = [];
  let rest = pending;
  while (rest.length >= everyChars) {
    let cut = lastSentenceEnd(rest, rest.length, false);
    // No sentence end yet: a run-on sentence is cut at everyChars (never inside a character).
    if (cut <= 0) cut = lastCharBoundary(rest, everyChars);
    spans.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  return { spans, rest };
}

export function createStreamGate<R>(options: StreamGateOptions<R>): StreamGate<R> {
  const everyChars = options.everyChars ?? 200;
  if (!Number.isInteger(everyChars) || everyChars < 2) throw new RangeError("everyChars must be an integer >= 2");
  let full = "";
  let pending = "";
  let releasedText = "";
  let spansChecked = 0;
  let blocked: { reason: R } | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  // Steps run one after another even if a caller does not await push before the next one.
  const serial = <T>(step: () => Promise<T>): Promise<T> => {
    const run = queue.then(step, step);
    queue = run.catch(() => undefined);
    return run;
  };
  const stop = (reason: R): GateStep<R> => {
    blocked = { reason };
    return { status: "blocked", reason };
  };

  return {
    push(delta) {
      return serial(async (): Promise<GateStep<R>> => {
        if (blocked) return { status: "blocked", reason: blocked.reason };
        full += delta;
        pending += delta;
        const { spans, rest } = cutSpans(pending, everyChars);
        if (spans.length === 0) return { status: "open", released: "" };
        pending = rest;
        const results = await Promise.all(spans.map((span) => options.check(span)));
        let released = "";
        for (const [i, result] of results.entries()) {
          // Spans before a blocked one in the same push stay held back too: simpler to reason
          // about, and the answer is being cut off anyway.
          if (!result.allow) return stop(result.reason);
          released += spans[i] as string;
        }
        spansChecked += spans.length;
        releasedText += released;
        return { status: "open", released };
      });
    },
    finish() {
      return serial(async (): Promise<GateStep<R>> => {
        if (blocked) return { status: "blocked", reason: blocked.reason };
        // One span that is the whole answer has been judged as a whole already.
        const wholeChecked = spansChecked === 1 && pending === "";
        if (full !== "" && !wholeChecked) {
          const result = await options.check(full);
          if (!result.allow) return stop(result.reason);
        }
        const released = pending;
        pending = "";
        releasedText += released;
        return { status: "open", released };
      });
    },
    released: () => releasedText,
  };
}
