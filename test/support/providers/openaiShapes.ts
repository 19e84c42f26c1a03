// The OpenAI chat-completions shapes the three providers share (each documents itself as
// OpenAI-compatible): a whole completion, stream chunks, the usage-only last chunk, errors.
// Shapes per OpenAI's API reference, https://platform.openai.com/docs/api-reference/chat/object
// and /chat/streaming; what each provider adds or changes is in its own file.
import type { ServerResponse } from "node:http";
import type { Behaviour, Recorded } from "./providerDouble";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The doubles' tokenizer: one token per 4 UTF-16 units, at least one for any text. */
export function tokensOf(text: string): number {
  return text === "" ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

/** Prompt tokens as the double counts them (it counts the request; it never repeats it). */
export function promptTokensOf(req: Recorded): number {
  const messages = Array.isArray(req.body.messages) ? (req.body.messages as { content?: unknown }[]) : [];
  return messages.reduce((n, m) => n + tokensOf(typeof m.content === "string" ? m.content : "") + 4, 0);
}

export function maxTokensOf(req: Recorded, fallback = 4096): number {
  return typeof req.body.max_tokens === "number" ? req.body.max_tokens : fallback;
}

/**
 * What a model produces under max_tokens: the text cut at the budget with finish_reason
 * `length`, as every provider documents ("length if the maximum number of tokens specified in
 * the request was reached").
 */
export function underBudget(text: string, budget: number): { text: string; finish: "stop" | "length" } {
  if (tokensOf(text) <= budget) return { text, finish: "stop" };
  return { text: text.slice(0, Math.max(0, budget * 4)), finish: "length" };
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  [extra: string]: unknown;
}

export function usageOf(req: Recorded, completionTokens: number, extra: Record<string, unknown> = {}): Usage {
  const prompt = promptTokensOf(req);
  return { prompt_tokens: prompt, completion_tokens: completionTokens, total_tokens: prompt + completionTokens, ...extra };
}

let ids = 0;
export const completionId = (prefix = "chatcmpl") => `${prefix}-${Date.now().toString(36)}${(++ids).toString(36)}`;

export function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

/** A behaviour that answers one HTTP error. */
export function errorReply(status: number, body: unknown, headers: Record<string, string> = {}): Behaviour {
  return (_req, res) => writeJson(res, status, body, headers);
}

export interface WholeAnswer {
  model: string;
  message: Record<string, unknown>;
  finish: string;
  usage: Usage;
  id?: string;
}

export function completionBody(a: WholeAnswer): Record<string, unknown> {
  return {
    id: a.id ?? completionId(),
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: a.model,
    choices: [{ index: 0, message: { role: "assistant", ...a.message }, finish_reason: a.finish, logprobs: null }],
    usage: a.usage,
  };
}

export function openEventStream(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", ...headers });
  res.flushHeaders();
}

export function sendEvent(res: ServerResponse, data: unknown): void {
  res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
}

export function chunkOf(id: string, model: string, delta: Record<string, unknown>, finish: string | null = null): Record<string, unknown> {
  return { id, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] };
}

/** `stream_options.include_usage`: "an additional chunk ... before data: [DONE] ... choices will always be an empty array". */
export function usageChunk(id: string, model: string, usage: Usage): Record<string, unknown> {
  return { id, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model, choices: [], usage };
}

export const wantsUsage = (req: Recorded) => (req.body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;

/** Text in pieces of about `size` characters (how providers stream: a token or a few at a time). */
export function piecesOf(text: string, size = 6): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/**
 * Tool calls as OpenAI streams them: the first delta of a call carries its index, id, type and
 * name with empty arguments; later deltas carry only the index and a fragment of the arguments.
 */
export function toolCallDeltas(calls: readonly { id: string; name: string; arguments: string }[], fragment = 5): Record<string, unknown>[] {
  const deltas: Record<string, unknown>[] = [];
  calls.forEach((call, index) => {
    deltas.push({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] });
    for (const piece of piecesOf(call.arguments, fragment)) deltas.push({ tool_calls: [{ index, function: { arguments: piece } }] });
  });
  return deltas;
}
