import * as z from "zod/mini";
import { AppError } from "../appError";
import type { PlainRequest } from "../http/plain";
import { describeIssueAt, issueDetails } from "../validation/describeIssue";
import { JsonLimitError, MAX_JSON_DEPTH, parseJsonWithin } from "./jsonLimits";

/** Body limit, content type, JSON and schema, in that order; each its own 4xx code. */
export function parseJsonBody<S extends z.ZodMiniType>(req: PlainRequest, schema: S, maxBytes: number): z.infer<S> {
  if (req.bodyTooLarge || req.body.length > maxBytes) {
    throw new AppError(413, "payload_too_large", `the body is over ${maxBytes} bytes`);
  }
  const contentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (contentType !== "application/json") {
    throw new AppError(415, "unsupported_media_type", "send Content-Type: application/json");
  }
  let body: unknown;
  try {
    body = parseJsonWithin(req.body.toString("utf8"), { maxDepth: MAX_JSON_DEPTH });
  } catch (err) {
    if (err instanceof JsonLimitError) throw new AppError(400, "json_too_deep", `the body is ${err.message}`);
    throw new AppError(400, "invalid_json", "the body is not valid JSON");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new AppError(400, "invalid_request", "the body must be a JSON object");
  }
  const result = z.safeParse(schema, body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new AppError(400, "invalid_request", issue ? describeIssueAt(issue, body) : "invalid request", {}, issueDetails(result.error.issues, body));
  }
  return result.data;
}
