import * as z from "zod/mini";
import { contextLines, defineIntent, invalidModelOutput } from "./intent";

export const support = defineIntent({
  name: "support",
  input: z.object({
    question: z.string().check(z.trim(), z.minLength(1), z.maxLength(4_000)),
    history: z.optional(
      z
        .array(
          z.object({
            role: z.enum(["user", "assistant"]),
            content: z.string().check(z.minLength(1), z.maxLength(4_000)),
          }),
        )
        .check(z.maxLength(20)),
    ),
  }),
  messages: (input, context) => [
    ...(input.history ?? []),
    { role: "user", content: `Question: ${input.question}${contextLines(context)}` },
  ],
  shapeAnswer(text) {
    const answer = text.trim();
    if (answer === "") throw invalidModelOutput("empty answer");
    return answer;
  },
});
