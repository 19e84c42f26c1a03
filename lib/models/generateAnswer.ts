// From messages to a shaped answer: the model call (with tool rounds when the profile lists
// tools), output rules, then shaping; when the reply cannot be shaped, one repair turn that
// tells the model what was wrong, then 502 invalid_model_output.
import { AppError } from "../appError";
import type { ResolvedProfile } from "../config/loadConfig";
import type { PreparedCall } from "../intents/intent";
import type { ToolOutcome, Toolbox } from "../tools/toolbox";
import { type Attempt, type ChainOptions, type ModelMessage, type ModelRequest, type ModelResult, type ToolCall, type Usage, callModelChain } from "./callModelChain";
import type { ModelTarget } from "./modelTargets";

export interface Produced {
  answer: unknown;
  model: string;
  provider: string;
  usage: Usage;
  attempts: Attempt[];
  repaired?: boolean;
  toolCalls?: number;
}

export interface GenerateOptions {
  chain: readonly ModelTarget[];
  profile: ResolvedProfile;
  call: PreparedCall;
  chainOptions: ChainOptions;
  /** Output rules of the environment: throws AppError 502 blocked_output (never repaired). */
  guardOutput?: (text: string) => void;
  toolbox?: Toolbox;
  onToolCall?: (call: ToolCall, outcome: ToolOutcome, ms: number) => void;
}

function addUsage(a: Usage, b: Usage): Usage {
  return { promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens, totalTokens: a.totalTokens + b.totalTokens };
}

export async function generateAnswer(options: GenerateOptions): Promise<Produced> {
  const { chain, profile, call, chainOptions, toolbox } = options;
  const guardOutput = options.guardOutput ?? (() => undefined);
  const messages: ModelMessage[] = [{ role: "system", content: profile.system_prompt }, ...call.messages];
  const request: Omit<ModelRequest, "messages"> = {
    maxTokens: profile.max_tokens,
    ...(profile.temperature === undefined ? {} : { temperature: profile.temperature }),
    ...(call.jsonSchema ? { jsonSchema: call.jsonSchema } : {}),
  };
  const tools = toolbox && profile.tools ? toolbox.definitions(profile.tools) : [];
  let usage: Usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  const attempts: Attempt[] = [];
  let toolCalls = 0;
  const callOnce = async (extra: Partial<ModelRequest>): Promise<ModelResult> => {
    const result = await callModelChain(chain, { ...request, messages, ...extra }, chainOptions);
    usage = addUsage(usage, result.usage);
    attempts.push(...result.attempts);
    return result;
  };

  // Tool rounds: the model asks, we run, it reads the results. After max_rounds it must answer.
  let result: ModelResult;
  for (let round = 0; ; round++) {
    const offerTools = tools.length > 0 && toolbox !== undefined && round < toolbox.maxRounds;
    result = await callOnce(offerTools ? { tools } : {});
    if (!offerTools || result.toolCalls.length === 0) break;
    messages.push({ role: "assistant", content: result.text || null, tool_calls: result.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })) });
    for (const toolCall of result.toolCalls) {
      const started = Date.now();
      const outcome = await toolbox.run(toolCall);
      toolCalls++;
      options.onToolCall?.(toolCall, outcome, Date.now() - started);
      messages.push({ role: "tool", tool_call_id: toolCall.id, content: outcome.content });
    }
  }

  const done = (text: string, r: ModelResult, repaired: boolean): Produced => ({
    answer: call.shapeAnswer(text),
    model: r.model,
    provider: r.provider,
    usage,
    attempts,
    ...(repaired ? { repaired } : {}),
    ...(toolCalls > 0 ? { toolCalls } : {}),
  });
  guardOutput(result.text);
  try {
    return done(result.text, result, false);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "invalid_model_output") throw err;
    messages.push(
      { role: "assistant", content: result.text },
      { role: "user", content: `Your reply could not be used (${err.message.replace(/^the model's reply could not be used: /, "")}). Reply again, following the instructions exactly and with nothing else.` },
    );
    const second = await callOnce({});
    guardOutput(second.text);
    try {
      return done(second.text, second, true);
    } catch (again) {
      if (again instanceof AppError) throw new AppError(again.status, again.code, `${again.message} (after one repair attempt)`);
      throw again;
    }
  }
}
