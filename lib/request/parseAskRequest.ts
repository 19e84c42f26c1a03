import type { PlainRequest } from "../http/plain";
import { MAX_BODY_BYTES } from "../http/limits";
import { type AskRequest, askRequestSchema } from "./askRequest";
import { parseJsonBody } from "./parseJsonBody";

export function parseAskRequest(req: PlainRequest): AskRequest {
  return parseJsonBody(req, askRequestSchema, MAX_BODY_BYTES);
}
