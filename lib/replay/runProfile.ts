// Runs one request against one profile, outside the request path: no token, no limits, no
// cache, no audit. What replay (and offline evaluation) compare.
import { AppError } from "../appError";
import type { Attempt, Usage } from "../chat/types";
import type { Config } from "../config/config";
import type { AskContext, Intent } from "../intents/intent";
import type { IntentName } from "../intents/names";
import type { Answerer } from "../models/answerer";

export interface RunOutcome {
  profile: string;
  ok: boolean;
  answer?: unknown;
  model?: string;
  /** The configured model that answered (the provider may report another name). */
  configuredModel?: string;
  usage?: Usage;
  code?: string;
  /** What went wrong, when not ok (an AppError's message; nothing of an unexpected error). */
  message?: string;
  ms: number;
  /** Every provider call tried, in order (fallbacks, tool rounds, a repair turn). */
  attempts?: Attempt[];
  /** The tools the model asked for, what they were asked and what they returned (eval checks read them). */
  toolCalls?: RanToolCall[];
}

export interface RanToolCall {
  name: string;
  arguments: string;
  ok: boolean;
  content: string;
}

export function createProfileRunner(deps: { config: Config; answerer: Answerer; intents: Partial<Record<IntentName, Intent>> }) {
  return async function runProfile(request: { intent: string; input: unknown; context?: AskContext }, profileName: string): Promise<RunOutcome> {
    const started = Date.now();
    const profile = deps.config.profiles[profileName];
    const intent = deps.intents[request.intent as IntentName];
    try {
      if (!profile) throw new AppError(400, "unknown_profile", `unknown profile "${profileName}"`);
      if (!intent || profile.intent !== request.intent) throw new AppError(400, "profile_intent_mismatch", `profile "${profileName}" does not serve intent "${request.intent}"`);
      const toolCalls: RanToolCall[] = [];
      const onToolCall = (call: { name: string; arguments: string }, outcome: { ok: boolean; content: string }) => toolCalls.push({ name: call.name, arguments: call.arguments, ok: outcome.ok, content: outcome.content });
      const produced = await deps.answerer.answer(profile, intent.prepare(request.input, request.context), { trace: { traceId: `replay-${started}` }, onToolCall });
      const answered = produced.attempts.filter((a) => a.outcome === "ok").at(-1)?.model;
      return {
        profile: profileName,
        ok: true,
        answer: produced.answer,
        model: produced.model,
        ...(answered ? { configuredModel: answered } : {}),
        usage: produced.usage,
        ms: Date.now() - started,
        attempts: produced.attempts,
        ...(toolCalls.length > 0 ? { toolCalls } : {}),
      };
    } catch (err) {
      return { profile: profileName, ok: false, ...(err instanceof AppError ? { code: err.code, message: err.message } : { code: "internal_error" }), ms: Date.now() - started };
    }
  };
}
