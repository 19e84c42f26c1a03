// Routes keyed "METHOD /path", each wrapped once here: a trace id for every response, one catch
// that turns any error into the JSON error body (an unexpected one keeps the request's trace id),
// and one log line per request for the routes that ask for it. Handlers are just their bodies.
import { randomUUID } from "node:crypto";
import { AppError } from "../appError";
import type { LogFields, Logger } from "../log/logger";
import { errorResponse } from "./errorResponse";
import type { PlainRequest, PlainResponse } from "./plain";
import { traceIdOf } from "./traceId";

/** What a transport calls: the whole app. */
export type Handler = (req: PlainRequest) => Promise<PlainResponse>;

export interface RouteContext {
  /** The caller's X-Trace-Id, or a new one; a handler that learns a better one (its body's) sets it. */
  traceId: string;
  /** Fields for this request's log line. */
  note(fields: LogFields): void;
}

export type RouteHandler = (req: PlainRequest, ctx: RouteContext) => Promise<PlainResponse>;

export interface RouterOptions {
  logger: Logger;
  env: string;
  /** The `msg` of each route's log line. A route not named writes none here (/ask writes its own). */
  logAs?: Readonly<Record<string, string>>;
  newTraceId?: () => string;
  now?: () => number;
}

export function createRouter(routes: Readonly<Record<string, RouteHandler>>, options: RouterOptions): Handler {
  const now = options.now ?? Date.now;
  const newTraceId = options.newTraceId ?? randomUUID;
  const methodsByPath = new Map<string, string[]>();
  for (const key of Object.keys(routes)) {
    const [method = "", path = ""] = key.split(" ");
    methodsByPath.set(path, [...(methodsByPath.get(path) ?? []), method]);
  }
  const unrouted: RouteHandler = async (req) => {
    const path = pathOf(req);
    const allowed = methodsByPath.get(path);
    throw allowed
      ? new AppError(405, "method_not_allowed", `use ${allowed.join(" or ")} for ${path}`, { allow: allowed.join(", ") })
      : new AppError(404, "not_found", `no route for ${req.method} ${path}`);
  };

  return async (req) => {
    const started = now();
    const key = `${req.method} ${pathOf(req)}`;
    const handler = routes[key] ?? unrouted;
    const noted: Record<string, unknown> = {};
    const ctx: RouteContext = { traceId: traceIdOf(req, newTraceId), note: (fields) => Object.assign(noted, fields) };
    let response: PlainResponse;
    let failure: AppError | undefined;
    try {
      response = await handler(req, ctx);
    } catch (err) {
      response = errorResponse(err, ctx.traceId);
      failure = err instanceof AppError ? err : undefined;
      if (!failure) options.logger.error("unexpected error", { traceId: ctx.traceId, route: key, error: err instanceof Error ? err.name : typeof err });
    }
    // Every response carries its trace id, successes of routes that do not set one included.
    if (!response.headers["x-trace-id"]) response.headers["x-trace-id"] = ctx.traceId;
    const msg = options.logAs?.[key];
    if (msg) {
      const code = failure?.code ?? (response.status >= 500 && !failure ? "internal_error" : undefined);
      options.logger.info(msg, { traceId: ctx.traceId, env: options.env, requestId: req.requestId, ...noted, status: response.status, ...(code ? { code } : {}), ms: now() - started });
    }
    return response;
  };
}

function pathOf(req: PlainRequest): string {
  return req.path.length > 1 ? req.path.replace(/\/+$/, "") : req.path;
}
