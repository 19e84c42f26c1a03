/** What every transport (node:http, SCF events) turns a request into, and expects back. */
export interface PlainRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string>>;
  body: Buffer;
  /** The transport stopped reading past MAX_BODY_BYTES. */
  bodyTooLarge?: boolean;
  /** Who sent it, as the transport saw it (socket, API Gateway sourceIp, Function URL x-scf-remote-addr). */
  clientIp?: string;
  /** The platform's id for this invocation (SCF request id), when there is one. */
  requestId?: string;
  /** The transport can stream (web function, local server); SCF event functions cannot. */
  canStream?: boolean;
  /** Aborted when the client goes away (streams stop calling the model). */
  signal?: AbortSignal;
}

export interface PlainResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Server-sent events, written as they come; `body` is then empty. */
  stream?: AsyncIterable<string>;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): PlainResponse {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify(body) };
}
