// From the server's SSE events to what a page sees. Plain profiles send `delta` pieces; refining
// profiles send the fast model's text as `draft` pieces, then the refined text as `final`
// pieces; both end with `done` (the shaped answer) or `error`. Pure: no wx, no I/O.
import { MiniaskError, errorFromBody } from "./errors";
import type { SseEvent } from "./sseParser";

/** "answer" for a plain stream; "draft" then "final" for a profile that refines. */
export type TextPhase = "draft" | "final" | "answer";

export interface TextCallbacks {
  /** The text of the current phase so far: "final" text replaces the "draft" text. */
  onText?: (textSoFar: string, phase: TextPhase) => void;
  /** Each piece as it arrives, whatever its phase (`phase` says which text it extends). */
  onDelta?: (piece: string, phase: TextPhase) => void;
}

const PHASE_OF: Record<string, TextPhase | undefined> = { delta: "answer", draft: "draft", final: "final" };

/** The text a page shows for an answer: strings as they are, structured answers as JSON. */
export function textOf(answer: unknown): string {
  return typeof answer === "string" ? answer : JSON.stringify(answer);
}

/** Calls a page callback; what it throws stops the request as a MiniaskError, not an uncaught error. */
export function callPage(traceId: string, call: () => void): void {
  try {
    call();
  } catch (err) {
    throw new MiniaskError("callback_error", `a page callback threw: ${err instanceof Error ? err.message : String(err)}`, traceId, 0, { cause: err });
  }
}

export function isAnswerReply(value: unknown): value is { answer: unknown; traceId: string } {
  const v = value as { answer?: unknown; traceId?: unknown } | null;
  return !!v && typeof v === "object" && "answer" in v && typeof v.traceId === "string";
}

export type StreamOutcome<R> = { result: R; error?: undefined } | { result?: undefined; error: MiniaskError };

export function createAnswerEvents<R>(callbacks: TextCallbacks, traceId: string) {
  let phase: TextPhase | undefined;
  let text = "";
  let outcome: StreamOutcome<R> | undefined;

  const dataOf = (event: SseEvent): Record<string, unknown> => {
    try {
      const parsed: unknown = JSON.parse(event.data);
      if (parsed && typeof parsed === "object") return parsed as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw new MiniaskError("bad_reply", `the ${event.event} event is not a JSON object`, traceId, 200);
  };

  return {
    accept(event: SseEvent): void {
      // Nothing after the last event counts; unknown events are a newer server's, skipped.
      if (outcome) return;
      const piecePhase = PHASE_OF[event.event];
      if (piecePhase) {
        const piece = dataOf(event).text;
        if (typeof piece !== "string") throw new MiniaskError("bad_reply", `the ${event.event} event has no text`, traceId, 200);
        if (phase !== piecePhase) text = "";
        phase = piecePhase;
        text += piece;
        const soFar = text;
        callPage(traceId, () => callbacks.onDelta?.(piece, piecePhase));
        callPage(traceId, () => callbacks.onText?.(soFar, piecePhase));
      } else if (event.event === "done") {
        const data = dataOf(event);
        if (!isAnswerReply(data)) throw new MiniaskError("bad_reply", "the done event has no answer", traceId, 200);
        outcome = { result: data as unknown as R };
      } else if (event.event === "error") {
        outcome = { error: errorFromBody(dataOf(event), 200, traceId) };
      }
    },
    /** The `done` result or the `error`, once one of them came. */
    outcome: (): StreamOutcome<R> | undefined => outcome,
  };
}
