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
