import { type TextCallbacks } from "./answerEvents";
import { MiniaskError } from "./errors";
import type { AskResult } from "./results";
import { type AbortScope } from "./transport";
import type { WxLike, WxRequestOptions } from "./wx";
export interface StreamAttempt<A> {
    statusCode: number;
    result?: AskResult<A>;
    /** A 200 JSON reply: the whole answer, no events. */
    whole?: AskResult<A>;
    error?: MiniaskError;
}
export declare function streamOnce<A>(wxApi: WxLike, request: Omit<WxRequestOptions, "success" | "fail" | "enableChunked" | "responseType">, callbacks: TextCallbacks, traceId: string, scope: AbortScope): Promise<StreamAttempt<A>>;
