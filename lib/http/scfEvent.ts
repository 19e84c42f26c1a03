// The event-function transport. SCF hands `main_handler` either an API Gateway event or a
// Function URL event; the latter lacks requestContext, isBase64Encoded and the parsed
// parameters (SCF docs, "Function URL Overview"), so its request id comes from context.
import * as z from "zod/mini";
import { errorResponse } from "./errorResponse";
import type { PlainRequest, PlainResponse } from "./plain";
import type { Handler } from "./router";
import { AppError } from "../appError";
import { MAX_BODY_BYTES } from "./limits";
import { randomUUID } from "node:crypto";
import { clientAddressOf, logAddressOnce } from "../limits/clientAddress";
import { type Logger, createLogger } from "../observability/logger";

export const httpEventSchema = z.object({
  httpMethod: z.string(),
  path: z.string(),
  headers: z.optional(z.nullable(z.record(z.string(), z.optional(z.nullable(z.string()))))),
  body: z.optional(z.nullable(z.string())),
  isBase64Encoded: z.optional(z.boolean()),
  requestContext: z.optional(z.object({ requestId: z.optional(z.string()), sourceIp: z.optional(z.string()) })),
});

export const scfContextSchema = z.object({ request_id: z.optional(z.string()) });

export interface IntegratedResponse {
  isBase64Encoded: false;
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type HttpEvent = z.infer<typeof httpEventSchema>;

/** The header a Function URL's front end sets with the caller's address (platform-facts.md). */
export const SCF_REMOTE_ADDR = "x-scf-remote-addr";

export function plainRequestOfEvent(event: HttpEvent, context: unknown, noteAddress?: (header: string, raw: string | undefined, address: string | undefined) => void): PlainRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (typeof value === "string") headers[name.toLowerCase()] = value;
  }
  const raw = event.body ?? "";
  const body = event.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
  const ctx = z.safeParse(scfContextSchema, context);
  const requestId = event.requestContext?.requestId ?? (ctx.success ? ctx.data.request_id : undefined);
  // Set by the platform (API Gateway's requestContext), or the hop a Function URL's front end
  // appends to x-scf-remote-addr: its last one (the first is the caller's to choose).
  const header = event.requestContext?.sourceIp === undefined ? SCF_REMOTE_ADDR : "requestContext.sourceIp";
  const given = event.requestContext?.sourceIp ?? headers[SCF_REMOTE_ADDR];
  const clientIp = clientAddressOf(given);
  noteAddress?.(header, given, clientIp);
  return {
    method: event.httpMethod.toUpperCase(),
    path: event.path.split("?")[0] ?? "/",
    headers,
    body,
    bodyTooLarge: body.length > MAX_BODY_BYTES,
    ...(requestId ? { requestId } : {}),
    ...(clientIp ? { clientIp } : {}),
  };
}

export function integratedResponse(response: PlainResponse): IntegratedResponse {
  return { isBase64Encoded: false, statusCode: response.status, headers: response.headers, body: response.body };
}

/**
 * `main_handler` for an event function serving HTTP through API Gateway or a Function URL.
 * `logger`: where the once-per-instance "client address" line goes (stdout at info by default).
 */
export function createEventHandler(handle: Handler, options: { logger?: Logger } = {}): (event: unknown, context: unknown) => Promise<IntegratedResponse> {
  const noteAddress = logAddressOnce(options.logger ?? createLogger("info"));
  return async (event, context) => {
    const parsed = z.safeParse(httpEventSchema, event);
    if (!parsed.success) {
      return integratedResponse(errorResponse(new AppError(400, "unsupported_event", "expected an API Gateway or Function URL HTTP event"), randomUUID()));
    }
    return integratedResponse(await handle(plainRequestOfEvent(parsed.data, context, noteAddress)));
  };
}
