import * as z from "zod/mini";

/** The part of an OpenAI-compatible chat completion we rely on: providers are outside input too. */
export const completionSchema = z.object({
  model: z.optional(z.string()),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.optional(z.nullable(z.string())),
          /** OpenAI's field for a reply the model itself declined. */
          refusal: z.optional(z.nullable(z.string())),
          tool_calls: z.optional(
            z.nullable(
              z.array(
                z.object({
                  id: z.string(),
                  function: z.object({ name: z.string(), arguments: z.string() }),
                }),
              ),
            ),
          ),
        }),
        finish_reason: z.optional(z.nullable(z.string())),
      }),
    )
    .check(z.minLength(1)),
  usage: z.optional(
    z.nullable(
      z.object({
        prompt_tokens: z.number(),
        completion_tokens: z.number(),
        total_tokens: z.number(),
      }),
    ),
  ),
});
