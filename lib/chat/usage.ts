import type { ModelMessage, Usage } from "./types";

export const ZERO_USAGE: Usage = Object.freeze({ promptTokens: 0, completionTokens: 0, totalTokens: 0 });

export function addUsage(a: Usage, b: Usage): Usage {
  return { promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens, totalTokens: a.totalTokens + b.totalTokens };
}

/** About four characters a token: what a provider that reports no usage is charged. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function estimatedUsage(messages: readonly ModelMessage[], completion: string): Usage {
  const promptTokens = estimateTokens(messages.map((m) => m.content ?? "").join("\n"));
  const completionTokens = estimateTokens(completion);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

/** Far above any one call's tokens: a provider reporting more is wrong, or hostile. */
const MAX_TOKENS_A_CALL = 10_000_000;

// Number.isSafeInteger is false for anything but a number.
const isTokenCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= MAX_TOKENS_A_CALL;

/**
 * Usage as a provider reported it, when it is believable: whole non-negative counts. A negative
 * or fractional count would refund a quota or break its settlement, so it is treated as missing
 * (and estimated). The total is ours: prompt + completion.
 */
export function reportedUsage(u: { prompt_tokens: unknown; completion_tokens: unknown } | null | undefined): Usage | undefined {
  if (!u || !isTokenCount(u.prompt_tokens) || !isTokenCount(u.completion_tokens)) return undefined;
  return { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens, totalTokens: u.prompt_tokens + u.completion_tokens };
}

/** Template tokens a chat message may add around its content (role markers, separators). */
const TEMPLATE_TOKENS_A_MESSAGE = 16;

/**
 * The most tokens a call can have used: its prompt's UTF-8 bytes (a byte-level tokenizer makes at
 * most one token a byte; characters can be several) plus the chat template's share, and at most
 * max_tokens of completion, which the provider was told.
 */
export function usageBound(request: { messages: readonly ModelMessage[]; maxTokens: number; tools?: readonly unknown[] }): { promptTokens: number; completionTokens: number } {
  const messages = request.messages.map((m) => `${m.content ?? ""}${"tool_calls" in m ? JSON.stringify(m.tool_calls) : ""}`).join("");
  const tools = request.tools === undefined ? "" : JSON.stringify(request.tools);
  return { promptTokens: Buffer.byteLength(messages) + Buffer.byteLength(tools) + TEMPLATE_TOKENS_A_MESSAGE * (request.messages.length + 1), completionTokens: request.maxTokens };
}

/**
 * Usage as charged: what the provider reported, but never more than the call could have used
 * (usageBound). A provider once reported 10M tokens for one reply: 20 CNY and a user's whole
 * daily quota. `warn` is told once per clamp, to name the provider in a log line.
 */
export function believedUsage(usage: Usage, request: { messages: readonly ModelMessage[]; maxTokens: number; tools?: readonly unknown[] }, warn?: (reported: Usage, bound: { promptTokens: number; completionTokens: number }) => void): Usage {
  const bound = usageBound(request);
  if (usage.promptTokens <= bound.promptTokens && usage.completionTokens <= bound.completionTokens) return usage;
  warn?.(usage, bound);
  const promptTokens = Math.min(usage.promptTokens, bound.promptTokens);
  const completionTokens = Math.min(usage.completionTokens, bound.completionTokens);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}
