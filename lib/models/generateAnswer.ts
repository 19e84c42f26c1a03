// From messages to a shaped answer: the model call, then shaping; when the reply cannot be
// shaped, one repair turn that tells the model what was wrong, then 502 invalid_model_output.
import { AppError } from "../appError";
import type { ResolvedProfile } from "../config/loadConfig";
import type { PreparedCall } from "../intents/intent";
import { type Attempt, type ChainOptions, type ModelMessage, type ModelResult, type Usage, callModelChain } from "./callModelChain";
import type { ModelTarget } from "./modelTargets";

export interface Produced {
  answer: unknown;
  model: string;
  provider: string;
  usage: Usage;
  attempts: Attempt[];
  repaired?: boolean;
}

function addUsage(a: Usage, b: Usage): Usage {
  return { promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens, totalTokens: a.totalTokens + b.totalTokens };
}

export async function generateAnswer(
  chain: readonly ModelTarget[],
  profile: ResolvedProfile,
  call: PreparedCall,
  options: ChainOptions,
  /** Output rules of the environment: throws AppError 502 blocked_output (never repaired). */
  guardOutput: (text: string) => void = () => undefined,
): Promise<Produced> {
  const messages: ModelMessage[] = [{ role: "system", content: profile.system_prompt }, ...call.messages];
  const request = {
    maxTokens: profile.max_tokens,
    ...(profile.temperature === undefined ? {} : { temperature: profile.temperature }),
    ...(call.jsonSchema ? { jsonSchema: call.jsonSchema } : {}),
  };
  const first: ModelResult = await callModelChain(chain, { ...request, messages }, options);
  guardOutput(first.text);
  try {
    return { answer: call.shapeAnswer(first.text), model: first.model, provider: first.provider, usage: first.usage, attempts: first.attempts };
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "invalid_model_output") throw err;
    const repair: ModelMessage[] = [
      ...messages,
      { role: "assistant", content: first.text },
      { role: "user", content: `Your reply could not be used (${err.message.replace(/^the model's reply could not be used: /, "")}). Reply again, following the instructions exactly and with nothing else.` },
    ];
    const second = await callModelChain(chain, { ...request, messages: repair }, options);
    guardOutput(second.text);
    const attempts = [...first.attempts, ...second.attempts];
    const usage = addUsage(first.usage, second.usage);
    try {
      return { answer: call.shapeAnswer(second.text), model: second.model, provider: second.provider, usage, attempts, repaired: true };
    } catch (again) {
      if (again instanceof AppError) throw new AppError(again.status, again.code, `${again.message} (after one repair attempt)`);
      throw again;
    }
  }
}
