// From a model request to a shaped answer: the model call (with tool rounds when tools are
// offered), output rules, then shaping; when the reply cannot be shaped, one repair turn that
// tells the model what was wrong, then 502 invalid_model_output.
import { AppError } from "../appError";
import type { Attempt, ModelMessage, ModelRequest, ModelResult, ToolCall, Usage } from "../chat/types";
import { ZERO_USAGE, addUsage } from "../chat/usage";
import type { ToolOutcome } from "../tools/toolbox";
import { type ChainOptions, ModelCallError, callModelChain } from "./callModelChain";
import type { CallTrace } from "./chatBody";
import type { ModelTarget } from "./modelTargets";
import { type OfferedTools, runToolRounds } from "./toolRounds";

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
  /** The provider cut the answer at max_tokens (finish_reason `length`): shaped all the same. */
  truncated?: true;
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
  tools?: OfferedTools;
  onToolCall?: (call: ToolCall, outcome: ToolOutcome, ms: number) => void;
}

/** What a conversation's answered calls spent: usage, attempts and each call (its cost). */
export interface Spent {
  usage: Usage;
  attempts: Attempt[];
  calls: ModelCall[];
}

/**
 * An answer withheld after its calls were paid (our output rules, or a reply that could not be
 * shaped even after the repair turn): the same error, carrying what was spent so the record
 * step charges it.
 */
export class SpentAnswerError extends AppError {
  constructor(
    cause: AppError,
    readonly spent: Spent,
  ) {
    super(cause.status, cause.code, cause.message, cause.headers, cause.details, cause.fields);
  }
}

/** A later call no provider answered, after earlier calls were paid: the chain's error (its attempts after the paid ones), carrying what was spent. */
export class SpentModelCallError extends ModelCallError {
  constructor(
    cause: ModelCallError,
    readonly spent: Spent,
  ) {
    super(cause.status, cause.code, cause.message, [...spent.attempts, ...cause.attempts], cause.summary);
  }
}

/** What the model calls spent before this error, when it carries it. */
export function spentOn(err: unknown): Spent | undefined {
  return err instanceof SpentAnswerError || err instanceof SpentModelCallError ? err.spent : undefined;
}

/** One conversation's model calls along a chain: what they spent adds up as they answer. */
function createModelCaller(chain: readonly ModelTarget[], request: ModelRequest, chainOptions: ChainOptions & { trace?: CallTrace }) {
  const spent = { messages: [...request.messages] as ModelMessage[], usage: ZERO_USAGE as Usage, attempts: [] as Attempt[], calls: [] as ModelCall[] };
  const callOnce = async (extra: Partial<ModelRequest>): Promise<ModelResult & { truncated?: true }> => {
    const result = await callModelChain(chain, { ...request, messages: spent.messages, ...extra }, chainOptions);
    spent.usage = addUsage(spent.usage, result.usage);
    spent.attempts.push(...result.attempts);
    const answered = result.attempts.at(-1);
    spent.calls.push({ model: answered?.model ?? result.model, usage: result.usage, ...(answered ? { attempt: answered } : {}) });
    return result;
  };
  return { spent, callOnce };
}

export async function generateAnswer(options: GenerateOptions): Promise<Produced> {
  const { chain, chainOptions, tools } = options;
  const { spent, callOnce } = createModelCaller(chain, options.request, chainOptions);
  try {
    // Tool rounds first, while they last; then, if the model has not answered yet, a call without tools.
    const rounds = tools ? await runToolRounds({ tools, messages: spent.messages, callOnce, ...(options.onToolCall ? { onToolCall: options.onToolCall } : {}) }) : { toolCalls: 0 };
    const result = rounds.answered ?? (await callOnce({}));
    return await shapeOrRepair(options, result, spent, callOnce, rounds.toolCalls);
  } catch (err) {
    // Whatever ends it after a paid call (output rules, no usable shape, a later call that no provider answered) charges what was spent.
    throw spentWith(err, { usage: spent.usage, attempts: spent.attempts, calls: spent.calls });
  }
}

/** The error, carrying what the calls before it spent (as it was when none answered). */
function spentWith(err: unknown, spent: Spent): unknown {
  if (spent.calls.length === 0 || !(err instanceof AppError) || spentOn(err)) return err;
  if (err instanceof ModelCallError) return new SpentModelCallError(err, spent);
  return new SpentAnswerError(err, spent);
}

/** The output rules, then the shape; when it fails, one repair turn (the output rules again, then the shape). */
async function shapeOrRepair(
  options: GenerateOptions,
  result: ModelResult & { truncated?: true },
  spent: ReturnType<typeof createModelCaller>["spent"],
  callOnce: ReturnType<typeof createModelCaller>["callOnce"],
  toolCalls: number,
): Promise<Produced> {
  const { guardOutput } = options;
  const { messages, attempts, calls } = spent;

  const done = (text: string, r: ModelResult & { truncated?: true }, repaired: boolean): Produced => ({
    answer: options.shapeAnswer(text),
    model: r.model,
    provider: r.provider,
    usage: spent.usage,
    attempts,
    calls,
    ...(repaired ? { repaired } : {}),
    ...(toolCalls > 0 ? { toolCalls } : {}),
    ...(r.truncated ? { truncated: true as const } : {}),
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
