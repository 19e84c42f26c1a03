// From a model request to a shaped answer: the model call (with tool rounds when tools are
// offered), output rules, then shaping; when the reply cannot be shaped, one repair turn that
// tells the model what was wrong, then 502 invalid_model_output.
import { AppError } from "../appError";
import type { Attempt, ModelMessage, ModelRequest, ModelResult, ToolCall, ToolDefinition, Usage } from "../chat/types";
import { ZERO_USAGE, addUsage } from "../chat/usage";
import type { ToolCaller } from "../tools/httpTool";
import type { ToolOutcome, Toolbox } from "../tools/toolbox";
import { type ChainOptions, callModelChain } from "./callModelChain";
import type { CallTrace } from "./chatBody";
import type { ModelTarget } from "./modelTargets";

export interface Produced {
  answer: unknown;
  model: string;
  provider: string;
  usage: Usage;
  attempts: Attempt[];
  repaired?: boolean;
  toolCalls?: number;
  /** Every call that answered: its configured model and usage (what it cost). */
  calls: ModelCall[];
}

/** One answered model call: the configured model (prices are keyed by it), its usage and attempt. */
export interface ModelCall {
  model: string;
  usage: Usage;
  attempt?: Attempt;
}

export interface GenerateOptions {
  chain: readonly ModelTarget[];
  /** Built by the answerer: system prompt, messages, limits, schema. */
  request: ModelRequest;
  shapeAnswer(text: string): unknown;
  chainOptions: ChainOptions & { trace?: CallTrace };
  /** Output rules of the environment: throws AppError 502 blocked_output (never repaired). */
  guardOutput(text: string): void;
  /** Offered to the model for up to toolbox.maxRounds rounds, within the toolbox's call and time caps. */
  tools?: { toolbox: Toolbox; definitions: ToolDefinition[]; caller: ToolCaller };
  onToolCall?: (call: ToolCall, outcome: ToolOutcome, ms: number) => void;
}

export async function generateAnswer(options: GenerateOptions): Promise<Produced> {
  const { chain, chainOptions, tools, guardOutput } = options;
  const messages: ModelMessage[] = [...options.request.messages];
  let usage: Usage = ZERO_USAGE;
  const attempts: Attempt[] = [];
  let toolCalls = 0;
  const calls: ModelCall[] = [];
  const callOnce = async (extra: Partial<ModelRequest>): Promise<ModelResult> => {
    const result = await callModelChain(chain, { ...options.request, messages, ...extra }, chainOptions);
    usage = addUsage(usage, result.usage);
    attempts.push(...result.attempts);
    const answered = result.attempts.at(-1);
    calls.push({ model: answered?.model ?? result.model, usage: result.usage, ...(answered ? { attempt: answered } : {}) });
    return result;
  };

  // Tool rounds: the model asks, we run, it reads the results. After max_rounds, max calls or
  // the tool time it must answer; asks past a round's cap get "limit reached" back, unrun.
  const toolDeadline = Date.now() + (tools?.toolbox.maxTotalMs ?? 0);
  let result: ModelResult;
  for (let round = 0; ; round++) {
    const offerTools = tools !== undefined && tools.definitions.length > 0 && round < tools.toolbox.maxRounds && toolCalls < tools.toolbox.maxCallsPerRequest && Date.now() < toolDeadline;
    result = await callOnce(offerTools ? { tools: tools.definitions } : {});
    if (!offerTools || result.toolCalls.length === 0) break;
    messages.push({ role: "assistant", content: result.text || null, tool_calls: result.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })) });
    let runThisRound = 0;
    for (const toolCall of result.toolCalls) {
      const left = toolDeadline - Date.now();
      if (runThisRound >= tools.toolbox.maxCallsPerRound || toolCalls >= tools.toolbox.maxCallsPerRequest || left <= 0) {
        // Every tool_call id needs its answer; this one is not run.
        messages.push({ role: "tool", tool_call_id: toolCall.id, content: JSON.stringify({ error: "tool call limit reached; answer with what you have" }) });
        continue;
      }
      const started = Date.now();
      const outcome = await tools.toolbox.run(toolCall, tools.caller, left);
      toolCalls++;
      runThisRound++;
      options.onToolCall?.(toolCall, outcome, Date.now() - started);
      messages.push({ role: "tool", tool_call_id: toolCall.id, content: outcome.content });
    }
  }

  const done = (text: string, r: ModelResult, repaired: boolean): Produced => ({
    answer: options.shapeAnswer(text),
    model: r.model,
    provider: r.provider,
    usage,
    attempts,
    calls,
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
