// A streamed answer for a profile with tools. Every round is a streamed call offering the tools
// (while the toolbox's rounds, calls and time last). A round that starts with a tool call is a
// tool round: read to its end (its calls arrive in pieces, put together by streamModelChain),
// its tools run, the next round opened; all before the stream is handed back, so a failure
// there is still an ordinary error response. The first round that starts with text is the
// answer, relayed as it comes (through the same relay, content gate and output rules as any
// stream). If that text ends in tool calls too (some models say "let me check" first), they run
// and the next round's text follows in the same stream. No call is made twice: a model that
// answers without a tool streams that answer.
import type { Attempt, ModelRequest, ToolCall } from "../chat/types";
import { ZERO_USAGE, addUsage } from "../chat/usage";
import type { ToolOutcome } from "../tools/toolbox";
import type { OpenedStream, StreamTotals } from "./streamModelChain";
import { type OfferedTools, createToolRunner } from "./toolRounds";

export interface StreamWithTools {
  request: ModelRequest;
  tools: OfferedTools;
  onToolCall?: (call: ToolCall, outcome: ToolOutcome, ms: number) => void;
  /** Opens one round's stream (the chain walked until its first text or tool call). */
  open(request: ModelRequest): Promise<OpenedStream>;
}

/** A round read to its end: its text (rarely any) and totals. */
async function readToEnd(opened: OpenedStream): Promise<StreamTotals & { text: string }> {
  const deltas = opened.deltas();
  let text = "";
  let next = await deltas.next();
  while (!next.done) {
    text += next.value;
    next = await deltas.next();
  }
  return { ...next.value, text };
}

export async function streamAfterTools(options: StreamWithTools): Promise<OpenedStream> {
  const messages = [...options.request.messages];
  const runner = createToolRunner({ tools: options.tools, messages, ...(options.onToolCall ? { onToolCall: options.onToolCall } : {}) });
  // Every round's attempts, in order (the last one answered); every round's tokens.
  const attempts: Attempt[] = [];
  let usage = ZERO_USAGE;
  let offered = false;
  const openRound = async () => {
    offered = runner.mayOffer();
    const opened = await options.open({ ...options.request, messages, ...(offered ? { tools: options.tools.definitions } : {}) });
    attempts.push(...opened.attempts);
    return opened;
  };
  /** Rounds until one starts with text: the tool rounds before it read whole and run. */
  const openAnswer = async (): Promise<OpenedStream> => {
    for (;;) {
      const opened = await openRound();
      // Tool calls nobody offered are not run: what the model says is the answer.
      if (!opened.toolCallsFirst || !offered) return opened;
      const round = await readToEnd(opened);
      usage = addUsage(usage, round.usage);
      await runner.runRound({ text: round.text, toolCalls: round.toolCalls ?? [] });
    }
  };
  let opened = await openAnswer();
  return {
    provider: opened.provider,
    attempts,
    async *deltas() {
      for (;;) {
        let text = "";
        const deltas = opened.deltas();
        let next = await deltas.next();
        while (!next.done) {
          text += next.value;
          yield next.value;
          next = await deltas.next();
        }
        usage = addUsage(usage, next.value.usage);
        const asked = offered ? (next.value.toolCalls ?? []) : [];
        if (asked.length === 0) return { model: next.value.model, usage, ...(next.value.truncated ? { truncated: true as const } : {}) };
        await runner.runRound({ text, toolCalls: asked });
        opened = await openAnswer();
      }
    },
  };
}
