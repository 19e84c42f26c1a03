import { MiniaskError } from "./errors";
import type { SseEvent } from "./sseParser";
/** "answer" for a plain stream; "draft" then "final" for a profile that refines. */
export type TextPhase = "draft" | "final" | "answer";
export interface TextCallbacks {
    /** The text of the current phase so far: "final" text replaces the "draft" text. */
    onText?: (textSoFar: string, phase: TextPhase) => void;
    /** Each piece as it arrives, whatever its phase (`phase` says which text it extends). */
    onDelta?: (piece: string, phase: TextPhase) => void;
}
/** The text a page shows for an answer: strings as they are, structured answers as JSON. */
export declare function textOf(answer: unknown): string;
/** Calls a page callback; what it throws stops the request as a MiniaskError, not an uncaught error. */
export declare function callPage(traceId: string, call: () => void): void;
export declare function isAnswerReply(value: unknown): value is {
    answer: unknown;
    traceId: string;
};
export type StreamOutcome<R> = {
    result: R;
    error?: undefined;
} | {
    result?: undefined;
    error: MiniaskError;
};
export declare function createAnswerEvents<R>(callbacks: TextCallbacks, traceId: string): {
    accept(event: SseEvent): void;
    /** The `done` result or the `error`, once one of them came. */
    outcome: () => StreamOutcome<R> | undefined;
};
