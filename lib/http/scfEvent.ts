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

export function plainRequestOfEvent(event: HttpEvent, context: unknown): PlainRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (typeof value === "string") headers[name.toLowerCase()] = value;
  }
  const raw = event.body ?? "";
  const body = event.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
  const ctx = z.safeParse(scfContextSchema, context);
  const requestId = event.requestContext?.requestId ?? (ctx.success ? ctx.data.request_id : undefined);
  // Set by the platform (API Gateway's requestContext, a Function URL's header), not the caller.
  const clientIp = event.requestContext?.sourceIp ?? headers["x-scf-remote-addr"];
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

/** `main_handler` for an event function serving HTTP through API Gateway or a Function URL. */
export function createEventHandler(handle: Handler): (event: unknown, context: unknown) => Promise<IntegratedResponse> {
  return async (event, context) => {
    const parsed = z.safeParse(httpEventSchema, event);
    if (!parsed.success) {
      return integratedResponse(errorResponse(new AppError(400, "unsupported_event", "expected an API Gateway or Function URL HTTP event"), randomUUID()));
    }
    return integratedResponse(await handle(plainRequestOfEvent(parsed.data, context)));
  };
}
