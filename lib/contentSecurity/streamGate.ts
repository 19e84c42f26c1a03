// Holds a streamed answer back until it has been checked. Text arrives in deltas; the gate
// cuts it into spans of at least `everyChars` characters that end on a sentence boundary,
// checks each span, and releases a span only after it passed and everything before it was
// released. finish() checks the whole answer, so context that spans several sentences is
// judged before `done`, and releases the rest. A blocked check stops the gate: nothing from
// the blocked span or after it ever comes out.
//
// Sentences are never cut to meet everyChars: a risky phrase cut in two can pass as two
// harmless halves, and the first half would already be out. Only a sentence longer than
// `maxSpanChars` is cut, at its last comma or space (or, failing that, any character).
//
// What is checked is the text as its reader gets it: JSON string escapes decoded (an `extract`
// answer is JSON, and "\u8eab\u4efd\u8bc1" reaches the user as 身份证). Spans are cut and
// checked decoded; what is released is the model's own text for exactly the decoded span that
// passed, so no escaped span ever goes out before its decoded form was checked. An escape cut
// by a delta's end waits for the rest of it.
//
// Cost: first byte waits for `everyChars` characters (and the end of that sentence) plus one
// check; a later span adds waiting only when WeChat is slower than the model writes a span.
import { type DecodedEscape, createEscapeDecoder } from "../text/jsonEscapes";
import { lastCharBoundary, lastClauseEnd, lastSentenceEnd } from "./sentences";

export type GateCheckResult<R> = { allow: true } | { allow: false; reason: R };

export interface StreamGateOptions<R> {
  check(text: string): Promise<GateCheckResult<R>>;
  /** Least characters per checked span (the last one excepted). Default 200. */
  everyChars?: number;
  /** A sentence longer than this is checked in pieces (default 1,000, at least everyChars). */
  maxSpanChars?: number;
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
export function cutSpans(pending: string, everyChars: number, maxSpanChars = Math.max(1000, everyChars)): { spans: string[]; rest: string } {
  const spans: string[] = [];
  let rest = pending;
  while (rest.length >= everyChars) {
    let cut = lastSentenceEnd(rest, Math.min(rest.length, maxSpanChars), false);
    // Stryker disable next-line EqualityOperator: lastSentenceEnd returns -1 or an end >= 1, never 0.
    if (cut <= 0) {
      // No sentence end: wait for one, unless the sentence has run past maxSpanChars.
      if (rest.length < maxSpanChars) break;
      cut = lastClauseEnd(rest, maxSpanChars);
      // Stryker disable next-line EqualityOperator: lastClauseEnd returns -1 or an end >= 2, never 0.
      if (cut <= 0) cut = lastCharBoundary(rest, maxSpanChars);
    }
    spans.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  return { spans, rest };
}

/** Decoded text waiting to be checked, with the model's text it came from. */
interface Pending {
  text: string;
  raw: string;
  /** Escapes in `text`, in order (`at` relative to `text`). */
  escapes: DecodedEscape[];
}

/** Takes the first `length` decoded units off `pending`; returns the raw text behind them. */
function takeRaw(pending: Pending, length: number): string {
  let rawLength = length;
  let used = 0;
  while (used < pending.escapes.length && (pending.escapes[used] as DecodedEscape).at < length) rawLength += (pending.escapes[used++] as DecodedEscape).extra;
  const raw = pending.raw.slice(0, rawLength);
  pending.text = pending.text.slice(length);
  pending.raw = pending.raw.slice(rawLength);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the shortcut only skips a copy when nothing was taken; the copy would be equal.
  pending.escapes = used === 0 && length === 0 ? pending.escapes : pending.escapes.slice(used).map((e) => ({ at: e.at - length, extra: e.extra }));
  return raw;
}

function append(pending: Pending, piece: { text: string; raw: string; escapes: DecodedEscape[] }): void {
  for (const e of piece.escapes) pending.escapes.push({ at: e.at + pending.text.length, extra: e.extra });
  pending.text += piece.text;
  pending.raw += piece.raw;
}

export function createStreamGate<R>(options: StreamGateOptions<R>): StreamGate<R> {
  const everyChars = options.everyChars ?? 200;
  const maxSpanChars = Math.max(options.maxSpanChars ?? 1000, everyChars);
  if (!Number.isInteger(everyChars) || everyChars < 2) throw new RangeError("everyChars must be an integer >= 2");
  const decoder = createEscapeDecoder();
  /** The whole answer so far, decoded. */
  let full = "";
  const pending: Pending = { text: "", raw: "", escapes: [] };
  /** pending.text has no sentence end before this index (as far as the last scan saw). */
  let noEndBefore = 0;
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
        const piece = decoder.push(delta);
        full += piece.text;
        append(pending, piece);
        // Below everyChars nothing can be cut; and a sentence that has not ended yet is not
        // scanned again from its start at every delta, only from where the last scan stopped.
        const length = pending.text.length;
        // Stryker disable next-line ConditionalExpression: a fast path; under everyChars cutSpans cuts nothing either.
        if (length < everyChars) return { status: "open", released: "" };
        // Stryker disable next-line ConditionalExpression,BooleanLiteral,BlockStatement: a fast path; skipping it, cutSpans finds no end either (lastSentenceEnd never returns 0).
        if (length < maxSpanChars && lastSentenceEnd(pending.text, length, false, noEndBefore) <= 0) {
          // The last character may still end a sentence once the next one arrives ("3." of "3.14").
          noEndBefore = length - 1;
          return { status: "open", released: "" };
        }
        const { spans } = cutSpans(pending.text, everyChars, maxSpanChars);
        noEndBefore = 0;
        // Stryker disable next-line all: unreachable (a sentence end was found above, or pending reached maxSpanChars: cutSpans cuts a span either way); kept for the reader.
        if (spans.length === 0) return { status: "open", released: "" };
        const raws = spans.map((span) => takeRaw(pending, span.length));
        const results = await Promise.all(spans.map((span) => options.check(span)));
        for (const result of results) {
          // Spans before a blocked one in the same push stay held back too: simpler to reason
          // about, and the answer is being cut off anyway.
          if (!result.allow) return stop(result.reason);
        }
        const released = raws.join("");
        spansChecked += spans.length;
        releasedText += released;
        return { status: "open", released };
      });
    },
    finish() {
      return serial(async (): Promise<GateStep<R>> => {
        if (blocked) return { status: "blocked", reason: blocked.reason };
        // An escape left unfinished at the end is text as written.
        const tail = decoder.flush();
        full += tail.text;
        append(pending, tail);
        // One span that is the whole answer has been judged as a whole already.
        const wholeChecked = spansChecked === 1 && pending.text === "";
        if (full !== "" && !wholeChecked) {
          const result = await options.check(full);
          if (!result.allow) return stop(result.reason);
        }
        const released = takeRaw(pending, pending.text.length);
        releasedText += released;
        return { status: "open", released };
      });
    },
    released: () => releasedText,
  };
}
