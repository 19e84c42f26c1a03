// The model's tool rounds: it asks, we run, it reads the results. Shared by whole answers
// (up to toolbox.maxRounds rounds, then a last call without tools) and streamed ones (see
// streamAfterTools.ts).
import type { ModelMessage, ModelRequest, ModelResult, ToolCall, ToolDefinition } from "../chat/types";
import type { ToolCaller } from "../tools/httpTool";
import type { ToolOutcome, Toolbox } from "../tools/toolbox";

export interface OfferedTools {
  toolbox: Toolbox;
  definitions: ToolDefinition[];
  caller: ToolCaller;
}

export interface ToolRunnerOptions {
  tools: OfferedTools;
  /** The conversation so far: each round's assistant turn and tool results are pushed onto it. */
  messages: ModelMessage[];
  /** Rounds at most (the toolbox's max_rounds unless the caller allows fewer). */
  maxRounds?: number;
  onToolCall?: (call: ToolCall, outcome: ToolOutcome, ms: number) => void;
}

/** One request's tool rounds within the toolbox's caps: rounds, calls (per round, per request) and time. */
export function createToolRunner(options: ToolRunnerOptions) {
  const { toolbox, caller } = options.tools;
  const maxRounds = Math.min(options.maxRounds ?? toolbox.maxRounds, toolbox.maxRounds);
  const toolDeadline = Date.now() + toolbox.maxTotalMs;
  let rounds = 0;
  let toolCalls = 0;
  return {
    toolCalls: () => toolCalls,
    /** Whether the next call may offer the tools. */
    mayOffer: () => options.tools.definitions.length > 0 && rounds < maxRounds && toolCalls < toolbox.maxCallsPerRequest && Date.now() < toolDeadline,
    /** Runs what one reply asked for; asks past a cap get "limit reached" back, unrun. */
    async runRound(reply: { text: string; toolCalls: ToolCall[] }): Promise<void> {
      rounds++;
      options.messages.push({ role: "assistant", content: reply.text || null, tool_calls: reply.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })) });
      let runThisRound = 0;
      for (const toolCall of reply.toolCalls) {
        const left = toolDeadline - Date.now();
        if (runThisRound >= toolbox.maxCallsPerRound || toolCalls >= toolbox.maxCallsPerRequest || left <= 0) {
          // Every tool_call id needs its answer; this one is not run.
          options.messages.push({ role: "tool", tool_call_id: toolCall.id, content: JSON.stringify({ error: "tool call limit reached; answer with what you have" }) });
          continue;
        }
        const started = Date.now();
        const outcome = await toolbox.run(toolCall, caller, left);
        toolCalls++;
        runThisRound++;
        options.onToolCall?.(toolCall, outcome, Date.now() - started);
        options.messages.push({ role: "tool", tool_call_id: toolCall.id, content: outcome.content });
      }
    },
  };
}

/**
 * Offers the tools while rounds, calls and tool time last. Returns the reply that asked for no
 * tool (the answer, already made) or undefined: the caller's next call, without tools, answers.
 */
export async function runToolRounds(run: ToolRunnerOptions & { callOnce(extra: Partial<ModelRequest>): Promise<ModelResult> }): Promise<{ answered?: ModelResult; toolCalls: number }> {
  const runner = createToolRunner(run);
  while (runner.mayOffer()) {
    const result = await run.callOnce({ tools: run.tools.definitions });
    if (result.toolCalls.length === 0) return { answered: result, toolCalls: runner.toolCalls() };
    await runner.runRound(result);
  }
  return { toolCalls: runner.toolCalls() };
}
