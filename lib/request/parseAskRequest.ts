import type { PlainRequest } from "../http/plain";
import { type AskRequest, MAX_BODY_BYTES, askRequestSchema } from "./askRequest";
import { parseJsonBody } from "./parseJsonBody";

export function parseAskRequest(req: PlainRequest): AskRequest {
  return parseJsonBody(req, askRequestSchema, MAX_BODY_BYTES);
}
