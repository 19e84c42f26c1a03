// Walks an alias's provider chain: a timeout, a connection error, a 429, a 5xx or an unusable
// reply moves on to the next entry; any other 4xx stops (retrying a rejected request elsewhere
// would only hide a bug). Provider error text never reaches the caller: only kinds and statuses.
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import * as z from "zod/mini";
import { AppError } from "../appError";
import type { ChatMessage } from "../intents/intent";
import { completionSchema } from "./completionSchema";
import type { ModelTarget } from "./modelTargets";
import { openaiClientFor } from "./openaiClient";

export interface ModelRequest {
  messages: ChatMessage[];
  maxTokens: number;
  temperature?: number;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export type FailureKind = "timeout" | "connection" | "rate_limited" | "server_error" | "bad_response" | "rejected";

export interface Attempt {
  provider: string;
  model: string;
  outcome: "ok" | FailureKind;
  status?: number;
  ms: number;
}

export interface ModelResult {
  text: string;
  /** The model the provider says answered (its own name), else the configured one. */
  model: string;
  provider: string;
  usage: Usage;
  attempts: Attempt[];
}

/** AppError that also carries the attempts, so the log line can say what failed and why. */
export class ModelCallError extends AppError {
  constructor(status: number, code: string, message: string, readonly attempts: Attempt[]) {
    super(status, code, message);
  }
}

class UnusableReply extends Error {}

function classify(err: unknown): { kind: FailureKind; status?: number } {
  if (err instanceof APIConnectionTimeoutError) return { kind: "timeout" };
  if (err instanceof APIConnectionError) return { kind: "connection" };
  if (err instanceof APIError && typeof err.status === "number") {
    if (err.status === 429) return { kind: "rate_limited", status: 429 };
    if (err.status >= 500) return { kind: "server_error", status: err.status };
    return { kind: "rejected", status: err.status };
  }
  // A body that is not JSON (SyntaxError) or not a completion (UnusableReply).
  return { kind: "bad_response" };
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

async function callOnce(target: ModelTarget, request: ModelRequest, timeoutMs: number): Promise<Omit<ModelResult, "attempts" | "provider">> {
  const client = openaiClientFor(target);
  const reply: unknown = await client.chat.completions.create(
    {
      model: target.model,
      messages: request.messages,
      max_tokens: request.maxTokens,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    },
    { timeout: timeoutMs, maxRetries: 0 },
  );
  const parsed = z.safeParse(completionSchema, reply);
  if (!parsed.success) throw new UnusableReply("not a chat completion");
  const text = parsed.data.choices[0]?.message.content ?? "";
  const usage = parsed.data.usage
    ? { promptTokens: parsed.data.usage.prompt_tokens, completionTokens: parsed.data.usage.completion_tokens, totalTokens: parsed.data.usage.total_tokens }
    : (() => {
        const promptTokens = estimateTokens(request.messages.map((m) => m.content).join("\n"));
        const completionTokens = estimateTokens(text);
        return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
      })();
  return { text, model: parsed.data.model ?? target.model, usage };
}

export async function callModelChain(chain: readonly ModelTarget[], request: ModelRequest, options: { budgetMs: number; now?: () => number }): Promise<ModelResult> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.budgetMs;
  const attempts: Attempt[] = [];
  for (const target of chain) {
    const remaining = deadline - now();
    if (remaining <= 0) break;
    const started = now();
    try {
      const result = await callOnce(target, request, Math.min(target.timeoutMs, remaining));
      attempts.push({ provider: target.provider, model: target.model, outcome: "ok", ms: now() - started });
      return { ...result, provider: target.provider, attempts };
    } catch (err) {
      const { kind, status } = classify(err);
      attempts.push({ provider: target.provider, model: target.model, outcome: kind, ...(status === undefined ? {} : { status }), ms: now() - started });
      if (kind === "rejected") {
        throw new ModelCallError(502, "model_rejected", "the model provider rejected the request", attempts);
      }
    }
  }
  const summary = attempts.map((a) => `${a.provider}/${a.model}: ${a.outcome}`).join(", ") || "latency budget spent before any attempt";
  throw new ModelCallError(503, "model_unavailable", `no model could answer (${summary})`, attempts);
}
