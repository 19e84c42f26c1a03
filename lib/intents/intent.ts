import * as z from "zod/mini";
import { AppError } from "../appError";
import { describeIssueAt, issueDetails } from "../validation/describeIssue";
import type { IntentName } from "./names";

export type { ChatMessage } from "../chat/types";
import type { ChatMessage } from "../chat/types";

/** Small, sanitized key/value context a Mini Program may send along. */
export type AskContext = Readonly<Record<string, string | number | boolean>>;

/** An intent's input, parsed and turned into messages, with the shaping of the model's reply. */
export interface PreparedCall {
  /** The parsed input, defaults applied: what a cache key is made of. */
  input: unknown;
  /** Messages after the profile's system prompt. */
  messages: ChatMessage[];
  /** Turns the model's text into the answer; throws AppError 502 invalid_model_output. */
  shapeAnswer(text: string): unknown;
  /** A JSON schema the reply must follow, for providers with structured output. */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
}

export interface Intent {
  name: IntentName;
  /** Parses `input` (400 on a mistake, path under `input.`) and builds the call. */
  prepare(input: unknown, context: AskContext | undefined): PreparedCall;
}

export function invalidModelOutput(why: string): AppError {
  return new AppError(502, "invalid_model_output", `the model's reply could not be used: ${why}`);
}

export function contextLines(context: AskContext | undefined): string {
  if (!context || Object.keys(context).length === 0) return "";
  const lines = Object.entries(context).map(([key, value]) => `- ${key}: ${String(value)}`);
  return `\n\nContext:\n${lines.join("\n")}`;
}

export function defineIntent<I>(spec: {
  name: IntentName;
  input: z.ZodMiniType<I>;
  messages(input: I, context: AskContext | undefined): ChatMessage[];
  shapeAnswer(text: string, input: I): unknown;
  jsonSchema?: (input: I) => { name: string; schema: Record<string, unknown> };
}): Intent {
  return {
    name: spec.name,
    prepare(raw, context) {
      const result = z.safeParse(spec.input, raw);
      if (!result.success) {
        const issue = result.error.issues[0];
        const detail = issue ? describeIssueAt({ ...issue, path: ["input", ...issue.path] }, { input: raw }) : "invalid";
        throw new AppError(400, "invalid_input", detail, {}, issueDetails(result.error.issues, { input: raw }, ["input"]));
      }
      const input = result.data;
      return {
        input,
        messages: spec.messages(input, context),
        shapeAnswer: (text) => spec.shapeAnswer(text, input),
        ...(spec.jsonSchema ? { jsonSchema: spec.jsonSchema(input) } : {}),
      };
    },
  };
}
