// The one answerer: (profile, prepared call) -> a model request, answered whole or streamed.
// The pipeline, the refiner, replay and eval all come here, so what a provider receives never
// depends on which path asked (design.md: "One answerer").
import { AppError } from "../appError";
import type { ModelRequest, ToolCall } from "../chat/types";
import { userHashOf } from "../identity/userHash";
import type { Config, ResolvedEnvironment, ResolvedProfile } from "../config/config";
import type { PreparedCall } from "../intents/intent";
import { createOutputGuards } from "../safety/guards";
import type { ToolCaller } from "../tools/httpTool";
import { type ToolOutcome, createToolbox } from "../tools/toolbox";
import type { ChainOptions } from "./callModelChain";
import type { CallTrace } from "./chatBody";
import type { BreakerHub } from "../breaker/breakerHub";
import { microYuanToCny } from "../cost/money";
import { type RequestCost, compilePrices, costOfAttempt, costOfRequest } from "../cost/priceBook";
import { type ModelCall, type Produced, generateAnswer } from "./generateAnswer";
import type { ModelTarget, ModelTargets } from "./modelTargets";
import { type OpenedStream, openModelStream } from "./streamModelChain";
import { streamAfterTools } from "./streamAfterTools";
import type { OfferedTools } from "./toolRounds";

export interface AnswerOptions {
  /** Sent along to the provider: the traceId as a header, a hash of the user as `user`. */
  trace?: { traceId: string; userId?: string };
  /** Aborted when the client goes away (streams). */
  signal?: AbortSignal;
  onToolCall?: (call: ToolCall, outcome: ToolOutcome, ms: number) => void;
}

/** System prompt, then the intent's messages; the profile's limits; the intent's schema. */
export function modelRequestFor(profile: ResolvedProfile, call: PreparedCall): ModelRequest {
  return {
    messages: [{ role: "system", content: profile.system_prompt }, ...call.messages],
    maxTokens: profile.max_tokens,
    ...(profile.temperature === undefined ? {} : { temperature: profile.temperature }),
    ...(call.jsonSchema ? { jsonSchema: call.jsonSchema } : {}),
  };
}

/** The provider sees a stable hash of the user (it can spot one abuser), never the userId. */
function callTraceOf(trace: { traceId: string; userId?: string }): CallTrace {
  return { traceId: trace.traceId, ...(trace.userId ? { userHash: `u_${userHashOf("provider-user", trace.userId, 24)}` } : {}) };
}

/** The team's own API gets the user's hash, so it can check that an order is theirs. */
export function toolUserHash(userId: string): string {
  return `u_${userHashOf("tool-user", userId, 24)}`;
}

function toolCallerOf(trace: { traceId: string; userId?: string } | undefined): ToolCaller {
  return { traceId: trace?.traceId ?? "", userHash: trace?.userId ? toolUserHash(trace.userId) : "" };
}

/** A whole answer and what its calls cost (each answered attempt carries its own cost, CNY). */
export type PricedAnswer = Produced & { cost: RequestCost };

export interface Answerer {
  /** The environment's output rules for a profile (streams run them on each delta). */
  guardOutputFor(profile: string): (text: string) => void;
  answer(profile: ResolvedProfile, call: PreparedCall, options?: AnswerOptions): Promise<PricedAnswer>;
  /** What calls cost at models.yaml's prices (a stream's, a refine's); each answered attempt gets its share. */
  costOf(calls: readonly ModelCall[]): RequestCost;
  /** Falls back along the chain until the first delta arrives; a profile with tools runs its tool round first (streamAfterTools). */
  stream(profile: ResolvedProfile, call: PreparedCall, options?: AnswerOptions): Promise<OpenedStream>;
}

export function createAnswerer(deps: { config: Config; env: ResolvedEnvironment; models: ModelTargets; now?: () => number; chainOptions?: Partial<ChainOptions>; breakers?: BreakerHub }): Answerer {
  const toolbox = createToolbox(deps.config);
  const prices = compilePrices(deps.config.prices);
  const costOf = (calls: readonly ModelCall[]): RequestCost => {
    for (const call of calls) {
      const cost = costOfAttempt(prices, call.model, call.usage);
      if (call.attempt && cost.priced) call.attempt.cost = microYuanToCny(cost.microYuan);
    }
    return costOfRequest(prices, calls);
  };
  const guardOutputFor = createOutputGuards(deps.config.profiles, deps.env.safety);
  const chainOf = (profile: ResolvedProfile): readonly ModelTarget[] => {
    const chain = deps.models[profile.model];
    if (!chain || chain.length === 0) throw new AppError(503, "model_unavailable", `no provider chain for "${profile.model}" in ${deps.env.name}`);
    return chain;
  };
  const chainOptionsOf = (profile: ResolvedProfile, options: AnswerOptions): ChainOptions & { trace?: CallTrace } => ({
    ...deps.chainOptions,
    ...(deps.breakers?.enabled ? { breakers: deps.breakers } : {}),
    budgetMs: profile.budget_ms ?? deps.env.modelBudgetMs,
    ...(deps.now ? { now: deps.now } : {}),
    ...(options.trace ? { trace: callTraceOf(options.trace) } : {}),
    ...(options.trace?.userId ? { who: userHashOf("provider-user", options.trace.userId, 24) } : {}),
  });
  const toolsOf = (profile: ResolvedProfile, options: AnswerOptions): OfferedTools | undefined => {
    const definitions = profile.tools ? toolbox.definitions(profile.tools) : [];
    return definitions.length > 0 ? { toolbox, definitions, caller: toolCallerOf(options.trace) } : undefined;
  };
  return {
    guardOutputFor,
    costOf,
    async answer(profile, call, options = {}) {
      const tools = toolsOf(profile, options);
      const produced = await generateAnswer({
        chain: chainOf(profile),
        request: modelRequestFor(profile, call),
        shapeAnswer: call.shapeAnswer,
        chainOptions: chainOptionsOf(profile, options),
        guardOutput: guardOutputFor(profile.name),
        ...(tools ? { tools } : {}),
        ...(options.onToolCall ? { onToolCall: options.onToolCall } : {}),
      });
      return { ...produced, cost: costOf(produced.calls) };
    },
    stream(profile, call, options = {}) {
      const chain = chainOf(profile);
      const chainOptions = chainOptionsOf(profile, options);
      // One cap for the whole stream, tool rounds included: each round gets what is left of it.
      const endBy = Date.now() + deps.env.streamMaxMs;
      const open = (request: ModelRequest) => openModelStream(chain, request, { ...chainOptions, streamMaxMs: Math.max(1, endBy - Date.now()), ...(options.signal ? { signal: options.signal } : {}) });
      const tools = toolsOf(profile, options);
      if (!tools) return open(modelRequestFor(profile, call));
      return streamAfterTools({ request: modelRequestFor(profile, call), tools, open, ...(options.onToolCall ? { onToolCall: options.onToolCall } : {}) });
    },
  };
}
