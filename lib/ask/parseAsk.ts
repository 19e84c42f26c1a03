// Step 1 of the walk: the body, and which of this function's intents it asks for.
import { AppError } from "../appError";
import type { PlainRequest } from "../http/plain";
import type { Intent } from "../intents/intent";
import { isIntentName, type IntentName } from "../intents/names";
import type { AskRequest } from "../request/askRequest";
import { parseAskRequest } from "../request/parseAskRequest";

export interface ParsedAsk {
  request: AskRequest;
  intent: Intent;
  /** The body's traceId, else the one the transport gave (header or new). */
  traceId: string;
}

function servedIntent(intents: Partial<Record<IntentName, Intent>>, name: string): Intent {
  const intent = isIntentName(name) ? intents[name] : undefined;
  if (intent) return intent;
  if (!isIntentName(name)) throw new AppError(400, "unknown_intent", `unknown intent "${name}"`);
  throw new AppError(404, "intent_not_served", `this function does not serve "${name}" (it serves ${Object.keys(intents).join(", ")})`);
}

export function parseAsk(req: PlainRequest, intents: Partial<Record<IntentName, Intent>>, traceId: string): ParsedAsk {
  const request = parseAskRequest(req);
  return { request, intent: servedIntent(intents, request.intent), traceId: request.traceId ?? traceId };
}
