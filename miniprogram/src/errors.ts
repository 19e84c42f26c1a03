// One error type for every way a call can fail, each with the traceId the user reads out to
// support. Pages branch on `code`: the server's stable code, or one of the client's own below.

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
export class MiniaskError extends Error {
  /** Seconds to wait before trying again (from Retry-After), on `rate_limited` and the like. */
  readonly retryAfter?: number;
  /** Every rejected field, when the server listed them (validation errors). */
  readonly details?: ErrorDetail[];
  /** WeChat's content category of a `blocked_input` / `blocked_output` (e.g. "politics"), and a title a page can show. */
  readonly category?: string;
  readonly categoryTitle?: string;
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly traceId: string,
    /** The HTTP status; 0 when no reply came; 200 when the error arrived as an SSE `error` event. */
    readonly status: number,
    extra: { retryAfter?: number; details?: ErrorDetail[]; category?: string; categoryTitle?: string; cause?: unknown } = {},
  ) {
    super(`${detail} (trace ${traceId})`);
    this.name = "MiniaskError";
    if (extra.retryAfter !== undefined) this.retryAfter = extra.retryAfter;
    if (extra.details !== undefined) this.details = extra.details;
    if (extra.category !== undefined) this.category = extra.category;
    if (extra.categoryTitle !== undefined) this.categoryTitle = extra.categoryTitle;
    if (extra.cause !== undefined) (this as { cause?: unknown }).cause = extra.cause;
  }
}

/** A response header by name, whatever case the server (or the platform) gave it. */
export function headerValue(header: Record<string, string> | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const wanted = name.toLowerCase();
  for (const key of Object.keys(header)) if (key.toLowerCase() === wanted) return String(header[key]);
  return undefined;
}

function detailsOf(value: unknown): ErrorDetail[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const details: ErrorDetail[] = [];
  for (const item of value as unknown[]) {
    const entry = item as { path?: unknown; message?: unknown } | null;
    if (entry && typeof entry.message === "string") details.push({ path: typeof entry.path === "string" ? entry.path : "", message: entry.message });
  }
  return details;
}

/**
 * The error of a reply: `{error: {code, message, details?}, traceId}` (a JSON body, or the data
 * of an SSE `error` event). Anything else still becomes a MiniaskError with the status.
 */
export function errorFromBody(body: unknown, status: number, traceId: string, header?: Record<string, string>): MiniaskError {
  const parsed = body as { error?: { code?: unknown; message?: unknown; details?: unknown; category?: unknown; categoryTitle?: unknown }; traceId?: unknown } | null;
  const error = parsed && typeof parsed === "object" && parsed.error && typeof parsed.error === "object" ? parsed.error : undefined;
  const code = typeof error?.code === "string" ? error.code : "http_error";
  const message = typeof error?.message === "string" ? error.message : `HTTP ${status}`;
  const trace = parsed && typeof parsed.traceId === "string" && parsed.traceId !== "" ? parsed.traceId : traceId;
  const retryAfter = Number(headerValue(header, "retry-after") ?? NaN);
  const details = detailsOf(error?.details);
  const extra: { retryAfter?: number; details?: ErrorDetail[]; category?: string; categoryTitle?: string } = {};
  if (retryAfter >= 0) extra.retryAfter = retryAfter;
  if (details) extra.details = details;
  if (typeof error?.category === "string") extra.category = error.category;
  if (typeof error?.categoryTitle === "string") extra.categoryTitle = error.categoryTitle;
  return new MiniaskError(code, message, trace, status, extra);
}
