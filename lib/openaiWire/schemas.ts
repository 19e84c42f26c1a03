// The replies as we accept them. OpenAI-compatible providers differ at the edges (a missing
// `id`, a `finish_reason` outside OpenAI's list, `choices: []` on a usage chunk), so only what
// a caller reads is required; everything else the openai SDK's types name is optional. Unknown
// keys are dropped. The type checks at the bottom keep every key here spelled as the SDK's
// types spell it.
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionMessage, ChatCompletionMessageFunctionToolCall } from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import * as z from "zod/mini";

const usageSchema = z.object({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number(),
});

const toolCallSchema = z.object({
  id: z.string(),
  type: z.optional(z.string()),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

export const wireCompletionSchema = z.object({
  id: z.optional(z.string()),
  object: z.optional(z.string()),
  created: z.optional(z.number()),
  model: z.optional(z.string()),
  choices: z
    .array(
      z.object({
        index: z.optional(z.number()),
        message: z.object({
          role: z.optional(z.string()),
          content: z.optional(z.nullable(z.string())),
          refusal: z.optional(z.nullable(z.string())),
          tool_calls: z.optional(z.nullable(z.array(toolCallSchema))),
        }),
        finish_reason: z.optional(z.nullable(z.string())),
      }),
    )
    .check(z.minLength(1)),
  usage: z.optional(z.nullable(usageSchema)),
});

const deltaToolCallSchema = z.object({
  index: z.number(),
  id: z.optional(z.string()),
  type: z.optional(z.string()),
  function: z.optional(z.object({ name: z.optional(z.string()), arguments: z.optional(z.string()) })),
});

export const wireChunkSchema = z.object({
  id: z.optional(z.string()),
  object: z.optional(z.string()),
  created: z.optional(z.number()),
  model: z.optional(z.string()),
  choices: z.optional(
    z.array(
      z.object({
        index: z.optional(z.number()),
        delta: z.optional(
          z.object({
            role: z.optional(z.string()),
            content: z.optional(z.nullable(z.string())),
            refusal: z.optional(z.nullable(z.string())),
            tool_calls: z.optional(z.nullable(z.array(deltaToolCallSchema))),
          }),
        ),
        finish_reason: z.optional(z.nullable(z.string())),
      }),
    ),
  ),
  usage: z.optional(z.nullable(usageSchema)),
});

/** A chat completion as parsed: the SDK's `ChatCompletion`, with its edges loosened. */
export type WireCompletion = z.infer<typeof wireCompletionSchema>;
/** A streamed chunk as parsed: the SDK's `ChatCompletionChunk`, with its edges loosened. */
export type WireChunk = z.infer<typeof wireChunkSchema>;

// Compile-time only: each object's keys are a subset of the SDK type's keys.
type KeysWithin<Ours, Theirs> = Exclude<keyof Ours, keyof Theirs> extends never ? true : { unknownKeys: Exclude<keyof Ours, keyof Theirs> };
type Choice = WireCompletion["choices"][number];
type ChunkChoice = NonNullable<WireChunk["choices"]>[number];
type Delta = NonNullable<ChunkChoice["delta"]>;
export type WireSchemaKeysMatchTheSdk = [
  KeysWithin<WireCompletion, ChatCompletion>,
  KeysWithin<Choice, ChatCompletion.Choice>,
  KeysWithin<Choice["message"], ChatCompletionMessage>,
  KeysWithin<NonNullable<Choice["message"]["tool_calls"]>[number], ChatCompletionMessageFunctionToolCall>,
  KeysWithin<NonNullable<WireCompletion["usage"]>, CompletionUsage>,
  KeysWithin<WireChunk, ChatCompletionChunk>,
  KeysWithin<ChunkChoice, ChatCompletionChunk.Choice>,
  KeysWithin<Delta, ChatCompletionChunk.Choice.Delta>,
  KeysWithin<NonNullable<Delta["tool_calls"]>[number], ChatCompletionChunk.Choice.Delta.ToolCall>,
];
const keysMatch: WireSchemaKeysMatchTheSdk = [true, true, true, true, true, true, true, true, true];
void keysMatch;

// A streamed chunk is checked per event, so the usual chunk (one choice, a text delta, the
// standard scalar fields) is checked by hand: the same rules as wireChunkSchema for the fields
// it has, the same object out (unknown keys dropped). Anything else (usage, tool calls, a
// refusal, several choices, a field of an unexpected type) goes through the full parse, which
// decides and names what is wrong: the fast path only ever accepts what the schema accepts.
const CHUNK_SCALARS = { id: "string", object: "string", created: "number", model: "string" } as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function plainChoice(choice: unknown): NonNullable<WireChunk["choices"]>[number] | undefined {
  if (!isObject(choice)) return undefined;
  const out: NonNullable<WireChunk["choices"]>[number] = {};
  for (const key in choice) {
    const value = choice[key];
    if (key === "index") {
      if (typeof value !== "number") return undefined;
      out.index = value;
    } else if (key === "finish_reason") {
      if (value !== null && typeof value !== "string") return undefined;
      out.finish_reason = value;
    } else if (key === "delta") {
      if (!isObject(value)) return undefined;
      const delta: NonNullable<typeof out.delta> = {};
      for (const field in value) {
        const v = value[field];
        if (field === "content" || field === "refusal") {
          if (v !== null && typeof v !== "string") return undefined;
          delta[field] = v;
        } else if (field === "role") {
          if (typeof v !== "string") return undefined;
          delta.role = v;
        } else if (field === "tool_calls") {
          // A tool call's parts are the full parse's to check.
          if (v !== null) return undefined;
          delta.tool_calls = null;
        }
        // Any other key is dropped, as the schema drops it.
      }
      out.delta = delta;
    }
  }
  return out;
}

/** A stream event's JSON as a chunk, or undefined when it is not one (the full schema decides). */
export function parseWireChunk(json: unknown): WireChunk | undefined {
  const fast = plainChunk(json);
  if (fast) return fast;
  const parsed = z.safeParse(wireChunkSchema, json);
  return parsed.success ? parsed.data : undefined;
}

function plainChunk(json: unknown): WireChunk | undefined {
  if (!isObject(json)) return undefined;
  const out: WireChunk = {};
  for (const key in json) {
    const value = json[key];
    if (key === "choices") {
      if (!Array.isArray(value) || value.length > 1) return undefined;
      const choices: NonNullable<WireChunk["choices"]> = [];
      if (value.length === 1) {
        const choice = plainChoice(value[0]);
        if (!choice) return undefined;
        choices.push(choice);
      }
      out.choices = choices;
    } else if (Object.hasOwn(CHUNK_SCALARS, key)) {
      if (typeof value !== CHUNK_SCALARS[key as keyof typeof CHUNK_SCALARS]) return undefined;
      (out as Record<string, unknown>)[key] = value;
    } else if (key === "usage" && value !== null) return undefined;
    else if (key === "usage") out.usage = null;
  }
  return out;
}
