// The chat wire as miniask uses it: messages, tools, requests, usage and attempts. Models,
// tools, streams and records all speak it, so it sits below all of them and imports nothing.

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** Messages as the chat API takes them, tool turns included. */
export type ModelMessage =
  | ChatMessage
  | { role: "assistant"; content: string | null; tool_calls: { id: string; type: "function"; function: { name: string; arguments: string } }[] }
  | { role: "tool"; tool_call_id: string; content: string };

export interface ToolDefinition {
  type: "function";
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface ModelRequest {
  messages: ModelMessage[];
  maxTokens: number;
  temperature?: number;
  /** A JSON schema for the reply, sent as response_format to providers that support it. */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
  tools?: ToolDefinition[];
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export type FailureKind = "timeout" | "connection" | "rate_limited" | "server_error" | "bad_response" | "rejected" | "retry_after_exceeds_budget";

export interface Attempt {
  provider: string;
  model: string;
  /** skipped: not called at all (its breaker is open, or too little budget is left for it). */
  outcome: "ok" | "skipped" | FailureKind;
  /** Why it was skipped. */
  reason?: string;
  status?: number;
  ms: number;
  /** What the call cost, CNY (answered calls with a price only). */
  cost?: number;
}

export interface ModelResult {
  text: string;
  toolCalls: ToolCall[];
  /** The model the provider says answered (its own name), else the configured one. */
  model: string;
  provider: string;
  usage: Usage;
  attempts: Attempt[];
}
