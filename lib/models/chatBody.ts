// The one place a model request becomes what a provider receives, streamed or whole: the same
// messages, limits, schema and tools either way (a streamed `extract` once lost its schema
// because this was written twice), plus what lets a provider's trace join ours.
import type { ModelRequest } from "../chat/types";
import type { ModelTarget } from "./modelTargets";

/** Who asked, as the provider may see it: the request's traceId and a hash of the user. */
export interface CallTrace {
  traceId: string;
  /** Already hashed: never the userId itself. */
  userHash?: string;
}

export function chatBodyOf(target: Pick<ModelTarget, "model" | "jsonSchema" | "sendUser" | "params">, request: ModelRequest, trace?: CallTrace) {
  return {
    // First, so no provider parameter can replace a field of ours (the load-time check allows
    // only each provider's documented names; this keeps it so if that check ever widens).
    ...target.params,
    model: target.model,
    messages: request.messages,
    max_tokens: request.maxTokens,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.jsonSchema && target.jsonSchema ? { response_format: { type: "json_schema" as const, json_schema: { ...request.jsonSchema, strict: true } } } : {}),
    ...(request.tools && request.tools.length > 0 ? { tools: request.tools } : {}),
    ...(trace?.userHash && target.sendUser ? { user: trace.userHash } : {}),
  };
}

/** Headers every model call carries: a gateway (OpenClaw) or a provider console logs them. */
export function traceHeadersOf(trace: CallTrace | undefined): Record<string, string> | undefined {
  return trace ? { "x-trace-id": trace.traceId } : undefined;
}
