// A streamed answer for a profile with tools: the tool round runs first as a whole call (its
// reply must be read to its end to know which tools it asks for), then the answer streams as
// the model writes it, through the same relay, content gate and output rules as any stream.
// One tool round, not toolbox.maxRounds: a round's call is chosen before its reply is known,
// and the streamed call offers no tools (streamModelChain reads text deltas only), so the
// call after the first tool results is the answer. A model that answers without asking for a
// tool has already written its whole answer: it goes out as one delta, no second call.
import type { ModelRequest, ToolCall } from "../chat/types";
import { addUsage } from "../chat/usage";
import type { ToolOutcome } from "../tools/toolbox";
import type { ChainOptions } from "./callModelChain";
import type { CallTrace } from "./chatBody";
import { createModelCaller } from "./generateAnswer";
import type { ModelTarget } from "./modelTargets";
import { openedText } from "./openedText";
import type { OpenedStream } from "./streamModelChain";
import { type OfferedTools, runToolRounds } from "./toolRounds";

export interface StreamAfterTools {
  chain: readonly ModelTarget[];
  request: ModelRequest;
  chainOptions: ChainOptions & { trace?: CallTrace };
  tools: OfferedTools;
  onToolCall?: (call: ToolCall, outcome: ToolOutcome, ms: number) => void;
  /** Opens the answer's stream for the conversation with the tool results in it. */
  open(request: ModelRequest): Promise<OpenedStream>;
}

/** Tool rounds a streamed answer runs before it streams. */
export const STREAMED_TOOL_ROUNDS = 1;

export async function streamAfterTools(options: StreamAfterTools): Promise<OpenedStream> {
  const { spent, callOnce } = createModelCaller(options.chain, options.request, options.chainOptions);
  const rounds = await runToolRounds({ tools: options.tools, messages: spent.messages, callOnce, maxRounds: STREAMED_TOOL_ROUNDS, ...(options.onToolCall ? { onToolCall: options.onToolCall } : {}) });
  if (rounds.answered) return openedText(rounds.answered.text, { provider: rounds.answered.provider, model: rounds.answered.model, usage: spent.usage, attempts: spent.attempts });
  const opened = await options.open({ ...options.request, messages: spent.messages });
  // The tool round's calls count with the stream's: its attempts first, its tokens in the total.
  return {
    provider: opened.provider,
    attempts: [...spent.attempts, ...opened.attempts],
    async *deltas() {
      const totals = yield* opened.deltas();
      return { model: totals.model, usage: addUsage(spent.usage, totals.usage) };
    },
  };
}
