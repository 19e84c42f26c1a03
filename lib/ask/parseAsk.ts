// Step 1 of the walk: the body, and which of this function's intents it asks for.
import { AppError } from "../appError";
import type { PlainRequest } from "../http/plain";
import type { Intent } from "../intents/intent";
import { isIntentName, type IntentName } from "../intents/names";
import type { AskRequest } from "../request/askRequest";
import { parseAskRequest } from "../request/parseAskRequest";
import { parseJsonWithin } from "../request/jsonLimits";
import { TRACE_ID } from "../http/limits";

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

/** A body that failed validation may still carry a usable traceId: the error answers with it. */
export class AskRejected extends AppError {
  constructor(
    cause: AppError,
    readonly traceId: string | undefined,
  ) {
    super(cause.status, cause.code, cause.message, cause.headers, cause.details, cause.fields);
  }
}

function traceIdIn(req: PlainRequest): string | undefined {
  try {
    const body: unknown = parseJsonWithin(req.body.toString("utf8"));
    const id = body !== null && typeof body === "object" && "traceId" in body ? body.traceId : undefined;
    return typeof id === "string" && TRACE_ID.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

export function parseAsk(req: PlainRequest, intents: Partial<Record<IntentName, Intent>>, traceId: string): ParsedAsk {
  let request;
  try {
    request = parseAskRequest(req);
  } catch (err) {
    throw err instanceof AppError ? new AskRejected(err, traceIdIn(req)) : err;
  }
  const id = request.traceId ?? traceId;
  try {
    return { request, intent: servedIntent(intents, request.intent), traceId: id };
  } catch (err) {
    throw err instanceof AppError ? new AskRejected(err, request.traceId) : err;
  }
}
