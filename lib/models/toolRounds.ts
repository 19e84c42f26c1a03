// The model's tool rounds: it asks, we run, it reads the results. Shared by whole answers
// (up to toolbox.maxRounds rounds, then a last call without tools) and streamed ones (tool
// rounds as whole calls, then the answer as a stream: see answerer.ts).
import type { ModelMessage, ModelRequest, ModelResult, ToolCall, ToolDefinition } from "../chat/types";
import type { ToolCaller } from "../tools/httpTool";
import type { ToolOutcome, Toolbox } from "../tools/toolbox";

export interface OfferedTools {
  toolbox: Toolbox;
  definitions: ToolDefinition[];
  caller: ToolCaller;
}

export interface ToolRoundsRun {
  tools: OfferedTools;
  /** The conversation so far: each round's assistant turn and tool results are pushed onto it. */
  messages: ModelMessage[];
  /** One model call with these extras (the tools offered). */
  callOnce(extra: Partial<ModelRequest>): Promise<ModelResult>;
  /** Rounds at most (the toolbox's max_rounds unless the caller allows fewer). */
  maxRounds?: number;
  onToolCall?: (call: ToolCall, outcome: ToolOutcome, ms: number) => void;
}

/**
 * Offers the tools while rounds, calls and tool time last. Returns the reply that asked for no
 * tool (the answer, already made) or undefined: the caller's next call, without tools, answers.
 * Asks past a round's cap get "limit reached" back, unrun.
 */
export async function runToolRounds(run: ToolRoundsRun): Promise<{ answered?: ModelResult; toolCalls: number }> {
  const { toolbox, definitions, caller } = run.tools;
  const maxRounds = Math.min(run.maxRounds ?? toolbox.maxRounds, toolbox.maxRounds);
  const toolDeadline = Date.now() + toolbox.maxTotalMs;
  let toolCalls = 0;
  for (let round = 0; definitions.length > 0 && round < maxRounds && toolCalls < toolbox.maxCallsPerRequest && Date.now() < toolDeadline; round++) {
    const result = await run.callOnce({ tools: definitions });
    if (result.toolCalls.length === 0) return { answered: result, toolCalls };
    run.messages.push({ role: "assistant", content: result.text || null, tool_calls: result.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })) });
    let runThisRound = 0;
    for (const toolCall of result.toolCalls) {
      const left = toolDeadline - Date.now();
      if (runThisRound >= toolbox.maxCallsPerRound || toolCalls >= toolbox.maxCallsPerRequest || left <= 0) {
        // Every tool_call id needs its answer; this one is not run.
        run.messages.push({ role: "tool", tool_call_id: toolCall.id, content: JSON.stringify({ error: "tool call limit reached; answer with what you have" }) });
        continue;
      }
      const started = Date.now();
      const outcome = await toolbox.run(toolCall, caller, left);
      toolCalls++;
      runThisRound++;
      run.onToolCall?.(toolCall, outcome, Date.now() - started);
      run.messages.push({ role: "tool", tool_call_id: toolCall.id, content: outcome.content });
    }
  }
  return { toolCalls };
}
