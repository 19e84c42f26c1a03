import { type TextCallbacks } from "./answerEvents";
import type { IntentAnswers, IntentInputs, IntentName } from "./intents";
import type { AskResult, Flags, RefineResult } from "./results";
import { type Session } from "./session";
import type { WxLike } from "./wx";
export type { TextCallbacks, TextPhase } from "./answerEvents";
export { textOf } from "./answerEvents";
export { MiniaskError } from "./errors";
export type { ErrorDetail } from "./errors";
export type { AskResult, Flags, RefineResult, Usage } from "./results";
export type { IntentAnswers, IntentInputs, IntentName } from "./intents";
export type { WxLike } from "./wx";
export interface MiniaskOptions {
    /** The Mini Program's `wx`, passed explicitly (the module never looks for a global). */
    wx: WxLike;
    /** One origin for every route (the local server, or one gateway in front of the functions). */
    baseUrl?: string;
    /**
     * The stage's one SCF custom domain (`npm run deploy` prints it), e.g. "https://api.example.com":
     * each function under its own path, as the deploy routes it (lib/deploy/customDomain.ts):
     * /<intent>/v1/mini/ask and /refine, /auth/v1/mini/login and /flags.
     */
    domain?: string;
    /** Deployed Function URLs: login, and per intent its ask (and refine: the same function serves it). */
    urls?: {
        login?: string;
        flags?: string;
        ask?: Record<string, string>;
        refine?: Record<string, string>;
    };
    /** Start signed in (dev: a token from `npm run token`); without expiresAt it is used until a 401. */
    session?: {
        token: string;
        userId: string;
        expiresAt?: number;
    };
    now?: () => number;
    /** Log in again when the token has less than this left. */
    refreshMarginSeconds?: number;
    /**
     * One timeout for every call. Without it each call waits as long as the function it calls
     * may run (serverless.yml's timeouts, built in) plus 5 s, up to wx.request's 60 s ceiling:
     * login 15 s, an intent's ask, refine and stream 60 s.
     */
    timeoutMs?: number;
    storageKey?: string;
}
export interface AskOptions {
    traceId?: string;
    profile?: string;
    context?: Record<string, string | number | boolean>;
}
export interface StreamOptions extends AskOptions, TextCallbacks {
    /**
     * Without chunked transfer a refining profile's whole reply carries `refine: {id}`; askStream
     * then fetches the refined answer itself (draft, then final, like the stream) unless false.
     */
    followRefine?: boolean;
}
/** askStream's promise, with `abort()` to stop it (for example in a page's onUnload). */
export type StreamingCall<A> = Promise<AskResult<A>> & {
    abort(): void;
};
export declare function newTraceId(now?: () => number): string;
export declare function createMiniaskClient(options: MiniaskOptions): {
    ask: <I extends IntentName>(intent: I, input: IntentInputs[I], askOptions?: AskOptions) => Promise<AskResult<IntentAnswers[I]>>;
    askStream: <I extends IntentName>(intent: I, input: IntentInputs[I], streamOptions?: StreamOptions) => StreamingCall<IntentAnswers[I]>;
    refine: <I extends IntentName = keyof IntentInputs>(id: string, refineOptions?: {
        intent?: I;
    }) => Promise<RefineResult<IntentAnswers[I]>>;
    answer: <I extends IntentName>(intent: I, input: IntentInputs[I], streamOptions?: StreamOptions) => Promise<AskResult<IntentAnswers[I]>>;
    flags: () => Promise<Flags>;
    login: () => Promise<Session>;
    /** Forgets the session, in memory and in storage: the next call logs in with wx.login again. */
    logout: () => void;
    /** The signed-in userId, when there is a session. */
    userId: () => string | undefined;
};
export type MiniaskClient = ReturnType<typeof createMiniaskClient>;
