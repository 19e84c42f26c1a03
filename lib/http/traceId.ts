import { randomUUID } from "node:crypto";
import { TRACE_ID } from "./limits";
import type { PlainRequest } from "./plain";

/** The caller's X-Trace-Id when it is well-formed, else a new one: every response carries one. */
export function traceIdOf(req: PlainRequest, newTraceId: () => string = randomUUID): string {
  const header = req.headers["x-trace-id"];
  return header && TRACE_ID.test(header) ? header : newTraceId();
}
