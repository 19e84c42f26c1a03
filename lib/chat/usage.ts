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
