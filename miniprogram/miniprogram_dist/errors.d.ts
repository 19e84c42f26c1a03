/** A field the server rejected: `path` as it names it (e.g. "input.maxBullets"). */
export interface ErrorDetail {
    path: string;
    message: string;
}
/**
 * Codes the client makes itself (the server's own come through unchanged):
 * - `wx_unavailable`: this base library lacks an API the call needs (no `wx`, `wx.request`, `wx.login`)
 * - `network_error`: wx.request failed (offline, timeout, domain not on the allow-list)
 * - `wx_login_failed`: wx.login failed
 * - `bad_reply`: the reply was not what the API documents (a proxy's HTML page, a cut stream body)
 * - `stream_incomplete`: the stream ended without `done` or `error`
 * - `aborted`: the page called `abort()`
 * - `callback_error`: a page callback (onText, onDelta) threw; the request was stopped
 * - `http_error`: a non-200 reply without a JSON error body
 */
export declare class MiniaskError extends Error {
    readonly code: string;
    readonly detail: string;
    readonly traceId: string;
    /** The HTTP status; 0 when no reply came; 200 when the error arrived as an SSE `error` event. */
    readonly status: number;
    /** Seconds to wait before trying again (from Retry-After), on `rate_limited` and the like. */
    readonly retryAfter?: number;
    /** Every rejected field, when the server listed them (validation errors). */
    readonly details?: ErrorDetail[];
    /** WeChat's content category of a `blocked_input` / `blocked_output` (e.g. "politics"), and a title a page can show. */
    readonly category?: string;
    readonly categoryTitle?: string;
    constructor(code: string, detail: string, traceId: string, 
    /** The HTTP status; 0 when no reply came; 200 when the error arrived as an SSE `error` event. */
    status: number, extra?: {
        retryAfter?: number;
        details?: ErrorDetail[];
        category?: string;
        categoryTitle?: string;
        cause?: unknown;
    });
}
/** A response header by name, whatever case the server (or the platform) gave it. */
export declare function headerValue(header: Record<string, string> | undefined, name: string): string | undefined;
/**
 * The error of a reply: `{error: {code, message, details?}, traceId}` (a JSON body, or the data
 * of an SSE `error` event). Anything else still becomes a MiniaskError with the status.
 */
export declare function errorFromBody(body: unknown, status: number, traceId: string, header?: Record<string, string>): MiniaskError;
