// One answer, whole or streamed as the request asked, in the OpenAI-compatible shape: optional
// reasoning (`reasoning_content`, DeepSeek's and DashScope's field for a thinking model's chain
// of thought), then text or tool calls, cut at max_tokens with `length`, usage counted the way
// the providers document it (reasoning tokens are completion tokens). Provider files decide
// what to say and which quirks wrap it.
import type { ServerResponse } from "node:http";
import {
  chunkOf,
  completionBody,
  completionId,
  maxTokensOf,
  openEventStream,
  piecesOf,
  sendEvent,
  sleep,
  tokensOf,
  toolCallDeltas,
  underBudget,
  usageChunk,
  usageOf,
  wantsUsage,
  writeJson,
} from "./openaiShapes";
import type { Recorded } from "./providerDouble";

export interface Speech {
  model: string;
  text?: string;
  /** The chain of thought a thinking model streams before its answer. */
  reasoning?: string;
  toolCalls?: { id: string; name: string; arguments: string }[];
  /** A finish_reason other than stop/length/tool_calls (content_filter, sensitive, ...), with the text said before it. */
  finish?: string;
  /** Usage fields a provider adds (DeepSeek's cache counts, reasoning_tokens). */
  usageExtra?: (reasoningTokens: number) => Record<string, unknown>;
  /** Between stream chunks. */
  gapMs?: number;
  /** Before a whole body: what a busy provider sends while it waits (DeepSeek: empty lines). */
  beforeBody?: (res: ServerResponse) => Promise<void>;
  /** After the stream's headers, before the first chunk (DeepSeek: `: keep-alive` comments). */
  beforeChunks?: (res: ServerResponse) => Promise<void>;
}

function planOf(req: Recorded, s: Speech) {
  const budget = maxTokensOf(req);
  const thought = underBudget(s.reasoning ?? "", budget);
  const said = underBudget(s.text ?? "", budget - tokensOf(thought.text));
  const cut = thought.finish === "length" || said.finish === "length";
  const finish = s.finish ?? (cut ? "length" : s.toolCalls?.length ? "tool_calls" : "stop");
  const reasoningTokens = tokensOf(thought.text);
  const argsTokens = (s.toolCalls ?? []).reduce((n, c) => n + tokensOf(c.arguments), 0);
  const usage = usageOf(req, reasoningTokens + tokensOf(said.text) + argsTokens, s.usageExtra?.(reasoningTokens));
  return { reasoning: thought.text, text: cut && thought.finish === "length" ? "" : said.text, finish, usage };
}

export async function speak(req: Recorded, res: ServerResponse, s: Speech): Promise<void> {
  const plan = planOf(req, s);
  if (req.body.stream !== true) {
    const message: Record<string, unknown> = { content: plan.text === "" && s.toolCalls?.length ? null : plan.text };
    if (s.reasoning !== undefined) message.reasoning_content = plan.reasoning;
    if (s.toolCalls?.length) message.tool_calls = s.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }));
    if (s.beforeBody) {
      res.writeHead(200, { "content-type": "application/json" });
      await s.beforeBody(res);
      res.end(JSON.stringify(completionBody({ model: s.model, message, finish: plan.finish, usage: plan.usage })));
      return;
    }
    writeJson(res, 200, completionBody({ model: s.model, message, finish: plan.finish, usage: plan.usage }));
    return;
  }
  openEventStream(res);
  if (s.beforeChunks) await s.beforeChunks(res);
  const id = completionId();
  const gap = () => (s.gapMs ? sleep(s.gapMs) : Promise.resolve());
  const thinking = s.reasoning !== undefined;
  sendEvent(res, chunkOf(id, s.model, { role: "assistant", content: thinking ? null : "", ...(thinking ? { reasoning_content: "" } : {}) }));
  for (const piece of piecesOf(plan.reasoning)) {
    await gap();
    sendEvent(res, chunkOf(id, s.model, { content: null, reasoning_content: piece }));
  }
  for (const piece of piecesOf(plan.text)) {
    await gap();
    sendEvent(res, chunkOf(id, s.model, { content: piece, ...(thinking ? { reasoning_content: null } : {}) }));
  }
  for (const delta of toolCallDeltas(s.toolCalls ?? [])) {
    await gap();
    sendEvent(res, chunkOf(id, s.model, delta));
  }
  sendEvent(res, chunkOf(id, s.model, { content: "" }, plan.finish));
  if (wantsUsage(req)) sendEvent(res, usageChunk(id, s.model, plan.usage));
  sendEvent(res, "[DONE]");
  res.end();
}
