// What a provider's error object says that a caller can act on: its own stable code, and, for a
// moderation refusal, whether the input or the output was refused. OpenAI-compatible providers
// answer {"error":{"message","type","code",...}} (DashScope's compatible mode:
// {"error":{"code":"data_inspection_failed","message":"Input data may contain inappropriate
// content.","type":"data_inspection_failed"}}, https://www.alibabacloud.com/help/en/model-studio/error-code).
// Nothing else of the body is kept: its message can echo the prompt.

export interface ProviderError {
  /** `error.code`, else `error.type`, when it reads as an identifier. */
  code?: string;
  /** A moderation message's first word ("Input data ...", "Output data ..."). */
  side?: "input" | "output";
}

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_.:-]{0,79}$/;
const SIDE = /^\s*(?:<\d+>\s*)?(?:[A-Za-z.]+:\s*)?(input|output)\b/i;

const identifier = (v: unknown) => (typeof v === "string" && IDENTIFIER.test(v) ? v : undefined);

/** From a parsed body (or a stream event's JSON); empty when it is not an error object. */
export function providerErrorOf(json: unknown): ProviderError {
  const error = typeof json === "object" && json !== null ? (json as { error?: unknown }).error : undefined;
  if (typeof error !== "object" || error === null) return {};
  const e = error as { code?: unknown; type?: unknown; message?: unknown };
  const code = identifier(e.code) ?? identifier(e.type);
  const side = typeof e.message === "string" ? SIDE.exec(e.message)?.[1]?.toLowerCase() : undefined;
  return { ...(code ? { code } : {}), ...(side === "input" || side === "output" ? { side } : {}) };
}

/** From a body's text; empty when it is not JSON. */
export function providerErrorOfText(text: string): ProviderError {
  try {
    return providerErrorOf(JSON.parse(text));
  } catch {
    return {};
  }
}
