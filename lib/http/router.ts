import { AppError } from "../appError";
import { errorResponse } from "./errorResponse";
import type { PlainRequest, PlainResponse } from "./plain";
import { traceIdOf } from "./traceId";

export type Handler = (req: PlainRequest) => Promise<PlainResponse>;

/** Routes keyed "METHOD /path"; anything else is a JSON 404 or 405 like every other error. */
export function createRouter(routes: Readonly<Record<string, Handler>>): Handler {
  const methodsByPath = new Map<string, string[]>();
  for (const key of Object.keys(routes)) {
    const [method = "", path = ""] = key.split(" ");
    methodsByPath.set(path, [...(methodsByPath.get(path) ?? []), method]);
  }
  return async (req) => {
    const path = req.path.length > 1 ? req.path.replace(/\/+$/, "") : req.path;
    const handler = routes[`${req.method} ${path}`];
    if (handler) return handler(req);
    const allowed = methodsByPath.get(path);
    const error = allowed
      ? new AppError(405, "method_not_allowed", `use ${allowed.join(" or ")} for ${path}`, { allow: allowed.join(", ") })
      : new AppError(404, "not_found", `no route for ${req.method} ${path}`);
    return errorResponse(error, traceIdOf(req));
  };
}
