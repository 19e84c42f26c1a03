// Runs one request against one profile, outside the request path: no token, no limits, no
// cache, no audit. What replay (and offline evaluation) compare.
import { AppError } from "../appError";
import type { Config, ResolvedEnvironment } from "../config/loadConfig";
import type { AskContext, Intent } from "../intents/intent";
import type { IntentName } from "../intents/names";
import type { Usage } from "../models/callModelChain";
import { generateAnswer } from "../models/generateAnswer";
import type { ModelTargets } from "../models/modelTargets";
import { createOutputGuards } from "../safety/guards";
import { createToolbox } from "../tools/toolbox";

export interface RunOutcome {
  profile: string;
  ok: boolean;
  answer?: unknown;
  model?: string;
  /** The configured model that answered (the provider may report another name). */
  configuredModel?: string;
  usage?: Usage;
  code?: string;
  ms: number;
}

export function createProfileRunner(deps: { config: Config; env: ResolvedEnvironment; models: ModelTargets; intents: Partial<Record<IntentName, Intent>> }) {
  const toolbox = createToolbox(deps.config);
  const guardFor = createOutputGuards(deps.config.profiles, deps.env.safety);
  return async function runProfile(request: { intent: string; input: unknown; context?: AskContext }, profileName: string): Promise<RunOutcome> {
    const started = Date.now();
    const profile = deps.config.profiles[profileName];
    const intent = deps.intents[request.intent as IntentName];
    try {
      if (!profile) throw new AppError(400, "unknown_profile", `unknown profile "${profileName}"`);
      if (!intent || profile.intent !== request.intent) throw new AppError(400, "profile_intent_mismatch", `profile "${profileName}" does not serve intent "${request.intent}"`);
      const chain = deps.models[profile.model];
      if (!chain) throw new AppError(400, "no_model_chain", `alias "${profile.model}" has no chain in ${deps.env.name}`);
      const produced = await generateAnswer({
        chain,
        profile,
        call: intent.prepare(request.input, request.context),
        chainOptions: { budgetMs: profile.budget_ms ?? deps.env.modelBudgetMs },
        guardOutput: guardFor(profile.name),
        toolbox,
      });
      const answered = produced.attempts.filter((a) => a.outcome === "ok").at(-1)?.model;
      return { profile: profileName, ok: true, answer: produced.answer, model: produced.model, ...(answered ? { configuredModel: answered } : {}), usage: produced.usage, ms: Date.now() - started };
    } catch (err) {
      return { profile: profileName, ok: false, code: err instanceof AppError ? err.code : "internal_error", ms: Date.now() - started };
    }
  };
}
