// The web-function transport (SCF starts it through scf_bootstrap on 0.0.0.0:9000) and the
// local server: node:http in, PlainRequest to the router, PlainResponse out.
import { type IncomingMessage, type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { MAX_BODY_BYTES, TRACE_ID } from "./limits";
import type { PlainRequest } from "./plain";
import type { Handler } from "./router";
import { clientAddressOf, logAddressOnce } from "../limits/clientAddress";
import type { Logger } from "../log/logger";

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/**
 * Reads the body, and stops reading the moment it passes the limit (the handler answers 413
 * and the connection closes): an endless chunked upload is never read past the limit.
 */
function readBody(req: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > MAX_BODY_BYTES) {
      resolve({ body: Buffer.alloc(0), tooLarge: true });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      req.off("data", onData);
      req.pause();
      resolve({ body: Buffer.alloc(0), tooLarge: true });
    };
    req.on("data", onData);
    req.on("end", () => resolve({ body: Buffer.concat(chunks), tooLarge: false }));
    req.on("error", reject);
  });
}

/** A request's headers and body must arrive within this: a stalled upload holds nothing for long. */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * `clientIpHeader`: behind a proxy (SCF's web-function front end), the header it sets with the
 * caller's address; its LAST hop is the proxy's (a caller may send the header itself, and a proxy
 * that appends keeps that value first). Missing or not an IP: unknown, which shares one limit.
 * Unset, the socket's peer. `logger` gets one "client address" line, on the first request.
 */
export function createHttpServer(handle: Handler, options: { clientIpHeader?: string; requestTimeoutMs?: number; logger?: Logger } = {}): Server {
  const ipHeader = options.clientIpHeader?.toLowerCase();
  const noteAddress = logAddressOnce(options.logger);
  const addressOf = (req: IncomingMessage): string | undefined => {
    if (!ipHeader) return req.socket.remoteAddress;
    const value = req.headers[ipHeader];
    const raw = Array.isArray(value) ? value.join(", ") : value;
    const address = clientAddressOf(raw);
    noteAddress(ipHeader, raw, address);
    return address;
  };
  const timeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  // Node checks for timed-out requests every connectionsCheckingInterval (30 s by default).
  const server = createServer({ requestTimeout: timeout, headersTimeout: timeout, connectionsCheckingInterval: Math.min(1000, timeout) }, (req, res) => {
    void (async () => {
      const { body, tooLarge } = await readBody(req);
      // Aborted when the client leaves before the answer is complete: a stream stops there.
      // Made only when asked for: an AbortController per request is a measurable cost.
      let closed: AbortController | undefined;
      const plain: PlainRequest = {
        method: req.method ?? "GET",
        path: (req.url ?? "/").split("?")[0] ?? "/",
        headers: headersOf(req),
        body,
        bodyTooLarge: tooLarge,
        canStream: true,
        clientIp: addressOf(req),
        get signal() {
          if (!closed) {
            const controller = new AbortController();
            closed = controller;
            res.on("close", () => {
              if (!res.writableFinished) controller.abort();
            });
          }
          return closed.signal;
        },
      };
      const response = await handle(plain);
      if (response.stream) {
        res.writeHead(response.status, response.headers);
        res.flushHeaders();
        for await (const chunk of response.stream) {
          if (res.destroyed) break;
          res.write(chunk);
        }
        res.end();
        return;
      }
      // A refused oversized upload is not read to its end: close rather than drain it.
      if (tooLarge) response.headers.connection = "close";
      res.writeHead(response.status, response.headers);
      res.end(response.body, () => {
        if (tooLarge) req.destroy();
      });
    })().catch(() => {
      // The router answers every error; this is a transport failure (a stream that broke).
      const header = req.headers["x-trace-id"];
      const traceId = typeof header === "string" && TRACE_ID.test(header) ? header : randomUUID();
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json; charset=utf-8", "x-trace-id": traceId });
      res.end(JSON.stringify({ error: { code: "internal_error", message: "internal error" }, traceId }));
    });
  });
  // What node:http refuses before any handler runs (headers too large, a malformed request, a
  // timeout) still gets the JSON error body and a trace id, never Node's bare status line.
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const [status, code] =
      err.code === "HPE_HEADER_OVERFLOW" ? [431, "headers_too_large"] : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? [408, "request_timeout"] : [400, "bad_http_request"];
    const traceId = randomUUID();
    const body = JSON.stringify({ error: { code, message: code.replaceAll("_", " ") }, traceId });
    socket.end(`HTTP/1.1 ${status} ${code}\r\nContent-Type: application/json; charset=utf-8\r\nX-Trace-Id: ${traceId}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  return server;
}

export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
