// What a request may spend at most, reserved on the quota (and priced for the budget hold) at
// admission: the ask step and the refine step both reserve, so it lives beside the limits.
import type { ResolvedProfile } from "../config/config";
import type { PreparedCall } from "../intents/intent";

/**
 * An upper bound on a request's tokens: every character of the prompt as a token (no tokenizer
 * makes more tokens than characters) plus max_tokens, for each model turn a tool profile may take.
 */
export function reserveTokensOf(profile: ResolvedProfile, call: PreparedCall, toolRounds: number): number {
  const promptChars = profile.system_prompt.length + call.messages.reduce((sum, m) => sum + m.content.length, 0);
  return (promptChars + profile.max_tokens) * (1 + (profile.tools?.length ? toolRounds : 0));
}
