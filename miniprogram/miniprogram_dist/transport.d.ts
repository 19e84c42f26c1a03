import { MiniaskError } from "./errors";
import type { WxLike, WxRequestOptions, WxRequestSuccess, WxRequestTask } from "./wx";
/** Lets a caller stop what is in flight (askStream's `abort()`). */
export interface AbortScope {
    aborted?: MiniaskError;
    onAbort?: () => void;
}
export interface SentRequest {
    reply: Promise<WxRequestSuccess>;
    task: WxRequestTask | undefined;
}
export declare function missingApi(name: string, traceId: string): MiniaskError;
export declare function sendRequest(wxApi: WxLike, options: Omit<WxRequestOptions, "success" | "fail">, traceId: string, scope?: AbortScope): SentRequest;
/**
 * Chunked transfer needs `enableChunked` (base library 2.20.2) and RequestTask.onChunkReceived
 * (2.20.1), both answered by wx.canIUse (itself 1.1.1). Without them the body only comes whole.
 */
export declare function canStreamChunks(wxApi: WxLike): boolean;
/** A reply body as bytes, whatever form wx gave it in. */
export declare function bytesOf(data: unknown): Uint8Array;
/** A reply body parsed as JSON when it is JSON; otherwise its text (or the object wx parsed). */
export declare function bodyOf(data: unknown): unknown;
export declare function joinBytes(chunks: Uint8Array[]): Uint8Array;
