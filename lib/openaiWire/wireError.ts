// One error type for every way a chat-completions call can fail, shaped after what the openai
// SDK's error classes tell lib/models today (APIConnectionTimeoutError, APIConnectionError,
// APIError with status and headers, a reply that does not parse), so a caller can classify a
// failure without knowing the transport. Provider error text is never kept: providers sometimes
// echo the prompt in it.

export type WireErrorKind =
  /** A deadline of ours fired (see `timeout` for which one). */
  | "timeout"
  /** No connection, a reset, or the connection ended before the reply did. */
  | "connection"
  /** The upstream answered a status other than 2xx (`status`, and `retryAfterMs` if it said). */
  | "http"
  /** 2xx, but not a usable reply: not JSON, not a completion, too large, an error event. */
  | "bad_response"
  /** The caller's AbortSignal fired. */
  | "aborted";

export type WireTimeout = "first_byte" | "idle" | "deadline";

export class WireError extends Error {
  override readonly name = "WireError";
  readonly kind: WireErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly timeout: WireTimeout | undefined;
  /** The provider's own error code (`error.code`, else `error.type`), never its message. */
  readonly providerCode: string | undefined;
  /** Which side a moderation refusal names ("Input data ..." / "Output data ..."). */
  readonly providerSide: "input" | "output" | undefined;

  constructor(
    kind: WireErrorKind,
    message: string,
    details: { status?: number; retryAfterMs?: number; timeout?: WireTimeout; cause?: unknown; providerCode?: string; providerSide?: "input" | "output" } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.timeout = details.timeout;
    this.providerCode = details.providerCode;
    this.providerSide = details.providerSide;
  }
}

type HeaderValue = string | string[] | undefined;
const first = (value: HeaderValue) => (Array.isArray(value) ? value[0] : value);

/**
 * How long the upstream asked us to wait, as the openai SDK reads it (client.ts retryRequest):
 * `retry-after-ms` (OpenAI's own, milliseconds) first, then `Retry-After` as seconds or an
 * HTTP date (RFC 9110 10.2.3). Undefined when absent or unreadable; never negative.
 */
export function retryAfterMsOf(headers: Readonly<Record<string, HeaderValue>>, now = Date.now()): number | undefined {
  const ms = first(headers["retry-after-ms"]);
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Number(ms);
  const after = first(headers["retry-after"])?.trim();
  if (!after) return undefined;
  if (/^\d+(\.\d+)?$/.test(after)) return Number(after) * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ECONNABORTED", "ERR_STREAM_PREMATURE_CLOSE"]);

/** A Node socket or HTTP error as a WireError (anything unknown at that layer is a connection failure). */
export function connectionError(err: unknown): WireError {
  if (err instanceof WireError) return err;
  const code = typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
  const known = code !== undefined && CONNECTION_CODES.has(code);
  return new WireError("connection", `the connection to the upstream failed${code ? ` (${code})` : ""}${known ? "" : ": could not send or read the request"}`, { cause: err });
}
